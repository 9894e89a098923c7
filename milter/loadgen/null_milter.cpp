// The null milter: reads every message whole, as aup-milter must, and accepts it. Run beside
// aup-milter under the same load, it shows what the milter protocol and libmilter cost alone.
// With --parse it also keeps each message and parses it with aup-milter's own parser (GMime's
// parse, every part decoded, text converted to UTF-8, HTML to text), and nothing more: the
// least a milter that reads the text through GMime must spend, so its throughput ceiling.
#include <libmilter/mfapi.h>

#include <cstring>
#include <iostream>
#include <string>

#include "mime/mime_view.hpp"

namespace {

bool parse_messages = false;

std::string* message_of(SMFICTX* context) {
  return static_cast<std::string*>(smfi_getpriv(context));
}

sfsistat on_negotiate(SMFICTX*, unsigned long, unsigned long steps, unsigned long, unsigned long,
                      unsigned long* actions, unsigned long* wanted, unsigned long* reserved2,
                      unsigned long* reserved3) {
  *actions = 0;
  *wanted = steps & (SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_HDR_LEADSPC);
  *reserved2 = 0;
  *reserved3 = 0;
  return SMFIS_CONTINUE;
}

sfsistat on_connect(SMFICTX* context, char*, _SOCK_ADDR*) {
  if (parse_messages) smfi_setpriv(context, new std::string());
  return SMFIS_CONTINUE;
}
sfsistat on_envelope(SMFICTX*, char**) {
  return SMFIS_CONTINUE;
}
sfsistat on_header(SMFICTX* context, char* name, char* value) {
  if (std::string* message = message_of(context)) {
    // The value keeps its leading space (SMFIP_HDR_LEADSPC, asked for when offered).
    message->append(name).append(":").append(value).append("\r\n");
  }
  return SMFIS_CONTINUE;
}
sfsistat on_end_of_headers(SMFICTX* context) {
  if (std::string* message = message_of(context)) message->append("\r\n");
  return SMFIS_CONTINUE;
}
sfsistat on_body(SMFICTX* context, unsigned char* chunk, size_t size) {
  if (std::string* message = message_of(context)) {
    message->append(reinterpret_cast<const char*>(chunk), size);
  }
  return SMFIS_CONTINUE;
}
sfsistat on_eom(SMFICTX* context) {
  if (std::string* message = message_of(context)) {
    const aup::mime::MimeView view = aup::mime::parse_message(*message);
    message->clear();
  }
  return SMFIS_ACCEPT;
}
sfsistat on_abort(SMFICTX* context) {
  if (std::string* message = message_of(context)) message->clear();
  return SMFIS_CONTINUE;
}
sfsistat on_close(SMFICTX* context) {
  delete message_of(context);
  smfi_setpriv(context, nullptr);
  return SMFIS_CONTINUE;
}

}  // namespace

int main(int argc, char** argv) {
  parse_messages = argc == 3 && std::strcmp(argv[1], "--parse") == 0;
  if (argc != 2 && !parse_messages) {
    std::cerr << "usage: aup-null-milter [--parse] inet:PORT@HOST|unix:/path\n";
    return 64;
  }
  smfiDesc description{};
  description.xxfi_name = const_cast<char*>("aup-null-milter");
  description.xxfi_version = SMFI_VERSION;
  description.xxfi_envfrom = on_envelope;
  description.xxfi_envrcpt = on_envelope;
  description.xxfi_header = on_header;
  description.xxfi_eoh = on_end_of_headers;
  description.xxfi_body = on_body;
  description.xxfi_eom = on_eom;
  description.xxfi_negotiate = on_negotiate;
  if (parse_messages) {  // the null milter's own protocol stays exactly as it was
    description.xxfi_connect = on_connect;
    description.xxfi_abort = on_abort;
    description.xxfi_close = on_close;
  }
  if (smfi_setconn(argv[argc - 1]) != MI_SUCCESS || smfi_register(description) != MI_SUCCESS ||
      smfi_opensocket(1) != MI_SUCCESS) {
    std::cerr << "aup-null-milter: cannot listen on " << argv[argc - 1] << "\n";
    return 70;
  }
  return smfi_main() == MI_SUCCESS ? 0 : 70;
}
