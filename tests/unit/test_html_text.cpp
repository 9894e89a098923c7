// HTML to text: what a reader sees, so text rules match words rather than markup.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "mime/html_text.hpp"

using aup::mime::html_to_text;

namespace {

struct HtmlCase {
  const char* label;
  std::string html;
  std::string text;
};

std::string repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i)
    out += text;
  return out;
}

}  // namespace

TEST_CASE("html_to_text: tags, entities, white space", "[mime][html]") {
  const std::vector<HtmlCase> cases = {
      {"empty", "", ""},
      {"tags removed", "<p>Hello <b>bold</b> <i>world</i></p>", "Hello bold world\n"},
      {"upper-case tags", "<P>A</P><BR><DIV>B</DIV>", "A\nB\n"},
      {"inline elements join", "<span>con</span><span>fidential</span>", "confidential"},
      {"markup entities", "<p>&amp; &lt;b&gt; &quot;q&quot; &#39;s</p>", "& <b> \"q\" 's\n"},
      {"named accented entities", "<p>&eacute;t&eacute; &Uuml;ber &euro;5 &copy;</p>",
       "été Über €5 ©\n"},
      {"decimal and hex character references", "<p>it&#8217;s &#x2019;x&#X2019; &#233;</p>",
       "it’s ’x’ é\n"},
      {"no-break spaces read as spaces",
       "<p>a&nbsp;b&nbsp;&nbsp; c\xC2\xA0"
       "d</p>",
       "a b c d\n"},
      {"white space runs collapse", "<p class=MsoNormal>This is\n  confidential \t  data</p>",
       "This is confidential data\n"},
      {"soft hyphens vanish", "<p>don't br&shy;eak the ch&shy;ain</p>", "don't break the chain\n"},
      {"zero-width characters vanish", "<p>con&#8203;fi&#x200D;den&#xFEFF;tial</p>",
       "confidential\n"},
      {"script and style dropped",
       "<p>a</p><script>var secret = 'x';</script><style>p { color: red }</style><p>b</p>",
       "a\nb\n"},
      {"head dropped but title kept",
       "<html><head><title>Subject line</title><meta name=x content=y>"
       "<style>b{}</style></head><body>Body</body></html>",
       "Subject line\nBody"},
      {"comments dropped", "<p>a<!-- hidden words -->b</p>", "ab\n"},
      {"template dropped", "<p>x</p><template>hidden</template>", "x\n"},
      {"block elements break lines",
       "<div>one</div><div>two<br>three</div><ul><li>a</li><li>b</li></ul>tail",
       "one\ntwo\nthree\na\nb\ntail"},
      {"headings and paragraphs", "<h1>Title</h1>\n<p>para</p>\n<blockquote>q</blockquote>",
       "Title\npara\nq\n"},
      {"table cells side by side, rows on lines",
       "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>", "a b\nc d\n"},
      {"pre keeps its white space", "<pre>  keep\n   this</pre><p>flow  ed</p>",
       "  keep\n   this\nflow ed\n"},
      {"unclosed tags recover", "<p>unclosed <b>bold <i>it", "unclosed bold it\n"},
      {"a lone less-than is text", "<p>1 < 2 and 3 > 2</p>", "1 < 2 and 3 > 2\n"},
      {"UTF-8 stays UTF-8 whatever meta says",
       "<meta charset=\"iso-8859-1\"><p>\xC3\xA9t\xC3\xA9 \xE2\x82\xAC</p>", "été €\n"},
      {"http-equiv charset is ignored too",
       "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
       "charset=windows-1252\"></head><body><p>\xE2\x80\x9Cq\xE2\x80\x9D</p></body></html>",
       "“q”\n"},
  };
  for (const auto& row : cases) {
    INFO(row.label);
    CHECK(html_to_text(row.html) == row.text);
  }
}

TEST_CASE("html_to_text: deep nesting does not hide the words after it", "[mime][html]") {
  for (const int depth : {100, 255, 256, 300, 5000}) {
    INFO("depth " << depth);
    const std::string html = "<p>start</p>" + repeat("<div>", depth) + "deep <b>bo</b>ld" +
                             repeat("</div>", depth) + "<p>after &amp; &eacute;&#x2019;</p>";
    CHECK(html_to_text(html) == "start\ndeep bold\nafter & é’\n");
  }
}

TEST_CASE("html_to_text: the fallback for deep nesting still drops what is not shown",
          "[mime][html]") {
  const std::string html = repeat("<div>", 300) +
                           "<script>var hidden = '</p>';</script><style>.x{}</style>"
                           "a<!-- c -->b &bogus; &#99999999999; &amp <span>c</span>" +
                           repeat("</div>", 300) + "<";
  CHECK(html_to_text(html) == "ab &bogus; &#99999999999; &amp c\n<");
}

TEST_CASE("html_to_text: hostile markup costs linear time", "[mime][html]") {
  const std::string deep = repeat("<div>", 300);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {repeat("<!--", 200000), ""},
      {repeat("<script>", 200000), ""},
      {repeat("<SCRIPT>", 200000), ""},
      {repeat("<", 100000), repeat("<", 100000)},
      {repeat("&", 100000), repeat("&", 100000)},
      {repeat("<a ", 100000), repeat("<a ", 100000)},  // no tag ever closes: all text
      {repeat("<p>x</p>", 100000), repeat("x\n", 100000)},
  };
  for (const auto& [body, text] : cases) {
    INFO(body.substr(0, 10));
    const auto started = std::chrono::steady_clock::now();
    CHECK(html_to_text(deep + body) == text);
    // Quadratic scanning took minutes here; linear takes milliseconds.
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
  }
}
