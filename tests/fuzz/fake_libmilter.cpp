// libmilter's context functions as the daemon calls them (see fake_libmilter.hpp).
#include "fake_libmilter.hpp"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

constexpr size_t kMaxReplyLength = 980;  // libmilter's MAXREPLYLEN

[[noreturn]] void refused(const char* what) {
  std::fprintf(stderr, "fake libmilter: the MTA would refuse %s\n", what);
  std::abort();
}

bool is_reply_code(std::string_view code) {
  return code.size() == 3 && (code[0] == '4' || code[0] == '5') && std::isdigit(code[1]) &&
         std::isdigit(code[2]);
}

// "4.7.1": class digit, then one to three digits, twice.
bool is_enhanced_code(std::string_view code, char reply_class) {
  if (code.size() < 5 || code[0] != reply_class || code[1] != '.') return false;
  size_t digits = 0, dots = 1;
  for (char c : code.substr(2)) {
    if (c == '.') {
      if (digits == 0 || digits > 3 || ++dots > 2) return false;
      digits = 0;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else {
      return false;
    }
  }
  return dots == 2 && digits > 0 && digits <= 3;
}

void check_field_name(const char* name) {
  if (name == nullptr || *name == '\0') refused("an empty header name");
  for (const char* c = name; *c != '\0'; ++c) {
    if (*c <= ' ' || *c >= 127 || *c == ':') refused("a header name outside RFC 5322 ftext");
  }
}

// Folded lines only: every line end must be followed by white space, and no bare CR.
void check_field_value(const char* value) {
  if (value == nullptr) refused("a missing header value");
  for (const char* c = value; *c != '\0'; ++c) {
    if (*c == '\r') refused("a CR in a header value");
    if (*c == '\n' && c[1] != ' ' && c[1] != '\t') refused("an unfolded line in a header value");
  }
}

int modification(SMFICTX* ctx) {
  ++ctx->modifications;
  return ctx->modifications_fail ? MI_FAILURE : MI_SUCCESS;
}

}  // namespace

void* smfi_getpriv(SMFICTX* ctx) {
  return ctx->private_data;
}

int smfi_setpriv(SMFICTX* ctx, void* data) {
  ctx->private_data = data;
  return MI_SUCCESS;
}

char* smfi_getsymval(SMFICTX* ctx, char* name) {
  const auto found = ctx->macros.find(name);
  return found == ctx->macros.end() ? nullptr : found->second.data();
}

int smfi_setreply(SMFICTX* ctx, char* code, char* xcode, char* text) {
  if (code == nullptr || !is_reply_code(code)) refused("a reply code");
  if (xcode != nullptr && !is_enhanced_code(xcode, code[0])) refused("an enhanced status code");
  if (text != nullptr && std::strpbrk(text, "\r\n") != nullptr) refused("a line end in a reply");
  if (text != nullptr && std::strlen(text) > kMaxReplyLength) refused("a reply over 980 octets");
  ctx->reply_code = code;
  return MI_SUCCESS;
}

int smfi_addheader(SMFICTX* ctx, char* name, char* value) {
  check_field_name(name);
  check_field_value(value);
  return modification(ctx);
}

int smfi_chgheader(SMFICTX* ctx, char* name, int index, char* value) {
  check_field_name(name);
  if (index < 1) refused("a header index below 1");
  if (value != nullptr) check_field_value(value);
  return modification(ctx);
}

int smfi_replacebody(SMFICTX* ctx, unsigned char* body, int length) {
  if (body == nullptr || length < 0) refused("a body chunk");
  return modification(ctx);
}

int smfi_quarantine(SMFICTX* ctx, char* reason) {
  if (reason == nullptr || *reason == '\0') refused("an empty quarantine reason");
  return modification(ctx);
}
