// Text from held mail on a reviewer's terminal: nothing the sender wrote may act on it.
#include <catch2/catch.hpp>

#include "review/safe_text.hpp"

using aup::review::terminal_safe;

TEST_CASE("control characters are shown, not sent to the terminal", "[safe_text]") {
  CHECK(terminal_safe("plain text") == "plain text");
  CHECK(terminal_safe("\x1b]0;owned\x07title") == "\\x1b]0;owned\\x07title");
  CHECK(terminal_safe("a\x7f"
                      "b") == "a\\x7fb");
  CHECK(terminal_safe("line\r\nnext") == "line\\x0d\\x0anext");
  CHECK(terminal_safe("line\r\nnext\ttab", true) == "line\nnext\ttab");
}

TEST_CASE("C1 controls, bidi and invisible marks are escaped as code points", "[safe_text]") {
  CHECK(terminal_safe("\xc2\x9b"
                      "31m") == "\\u{009B}31m");  // CSI
  CHECK(terminal_safe("pay\xe2\x80\xae"
                      "exe.doc") == "pay\\u{202E}exe.doc");  // RLO
  CHECK(terminal_safe("\xe2\x81\xa6x\xe2\x81\xa9") == "\\u{2066}x\\u{2069}");
  CHECK(terminal_safe("a\xe2\x80\x8f"
                      "b") == "a\\u{200F}b");
  CHECK(terminal_safe("a\xe2\x80\xa8"
                      "b") == "a\\u{2028}b");
  CHECK(terminal_safe("\xef\xbb\xbf"
                      "x") == "\\u{FEFF}x");
  CHECK(terminal_safe("\xd8\x9c") == "\\u{061C}");
}

TEST_CASE("ordinary non-ASCII text is kept", "[safe_text]") {
  CHECK(terminal_safe("Café – £5 • ünïcödé 日本") == "Café – £5 • ünïcödé 日本");
  CHECK(terminal_safe("\xe2\x80\x93") == "\xe2\x80\x93");  // en dash, a neighbour of LRM
}
