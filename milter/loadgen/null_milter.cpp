// The null milter: reads every message whole, as aup-milter must, and accepts it. Run beside
// aup-milter under the same load, it shows what the milter protocol and libmilter cost alone.
#include <libmilter/mfapi.h>

#include <iostream>
#include <string>

namespace {

sfsistat on_negotiate(SMFICTX*, unsigned long, unsigned long steps, unsigned long, unsigned long,
                      unsigned long* actions, unsigned long* wanted, unsigned long* reserved2,
                      unsigned long* reserved3) {
  *actions = 0;
  *wanted = steps & (SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_HDR_LEADSPC);
  *reserved2 = 0;
  *reserved3 = 0;
  return SMFIS_CONTINUE;
}

sfsistat keep_going(SMFICTX*) {
  return SMFIS_CONTINUE;
}
sfsistat on_envelope(SMFICTX*, char**) {
  return SMFIS_CONTINUE;
}
sfsistat on_header(SMFICTX*, char*, char*) {
  return SMFIS_CONTINUE;
}
sfsistat on_body(SMFICTX*, unsigned char*, size_t) {
  return SMFIS_CONTINUE;
}
sfsistat on_eom(SMFICTX*) {
  return SMFIS_ACCEPT;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: aup-null-milter inet:PORT@HOST|unix:/path\n";
    return 64;
  }
  smfiDesc description{};
  description.xxfi_name = const_cast<char*>("aup-null-milter");
  description.xxfi_version = SMFI_VERSION;
  description.xxfi_envfrom = on_envelope;
  description.xxfi_envrcpt = on_envelope;
  description.xxfi_header = on_header;
  description.xxfi_eoh = keep_going;
  description.xxfi_body = on_body;
  description.xxfi_eom = on_eom;
  description.xxfi_negotiate = on_negotiate;
  if (smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(description) != MI_SUCCESS ||
      smfi_opensocket(1) != MI_SUCCESS) {
    std::cerr << "aup-null-milter: cannot listen on " << argv[1] << "\n";
    return 70;
  }
  return smfi_main() == MI_SUCCESS ? 0 : 70;
}
