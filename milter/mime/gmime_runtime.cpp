// One-time GMime initialisation shared by every thread of the process.
#include "mime/gmime_runtime.hpp"

#include <mutex>

namespace aup::mime {
namespace {

// GObject creates a type's class on first use, under its own locks, and publishes it with
// atomics that ThreadSanitizer cannot see in an uninstrumented glib: two messages parsed at
// once would show as a data race on the class. Creating every class GMime may instantiate here,
// once, before any worker thread parses, means no class is ever created concurrently. The
// references are kept: the classes live as long as the process.
void create_classes() {
  const GType types[] = {GMIME_TYPE_OBJECT,
                         GMIME_TYPE_MESSAGE,
                         GMIME_TYPE_MESSAGE_PART,
                         GMIME_TYPE_MESSAGE_PARTIAL,
                         GMIME_TYPE_MULTIPART,
                         GMIME_TYPE_MULTIPART_SIGNED,
                         GMIME_TYPE_MULTIPART_ENCRYPTED,
                         GMIME_TYPE_PART,
                         GMIME_TYPE_TEXT_PART,
                         GMIME_TYPE_APPLICATION_PKCS7_MIME,
                         GMIME_TYPE_CONTENT_TYPE,
                         GMIME_TYPE_CONTENT_DISPOSITION,
                         GMIME_TYPE_DATA_WRAPPER,
                         GMIME_TYPE_HEADER,
                         GMIME_TYPE_HEADER_LIST,
                         GMIME_TYPE_PARAM,
                         GMIME_TYPE_PARAM_LIST,
                         GMIME_TYPE_PARSER,
                         GMIME_TYPE_STREAM_MEM,
                         GMIME_TYPE_STREAM_NULL,
                         GMIME_TYPE_STREAM_FILTER,
                         GMIME_TYPE_STREAM_CAT,
                         GMIME_TYPE_STREAM_BUFFER,
                         GMIME_TYPE_STREAM_FS,
                         GMIME_TYPE_FILTER_BASIC,
                         GMIME_TYPE_FILTER_BEST,
                         GMIME_TYPE_FILTER_CHARSET,
                         GMIME_TYPE_FILTER_DOS2UNIX,
                         GMIME_TYPE_FILTER_UNIX2DOS,
                         GMIME_TYPE_FILTER_STRIP,
                         GMIME_TYPE_FILTER_WINDOWS,
                         GMIME_TYPE_FILTER_HTML,
                         GMIME_TYPE_FILTER_ENRICHED,
                         GMIME_TYPE_FILTER_GZIP,
                         GMIME_TYPE_FILTER_YENC,
                         GMIME_TYPE_FILTER_CHECKSUM,
                         GMIME_TYPE_FILTER_FROM,
                         GMIME_TYPE_FILTER_SMTP_DATA,
                         GMIME_TYPE_FILTER_OPENPGP,
                         INTERNET_ADDRESS_TYPE_MAILBOX,
                         INTERNET_ADDRESS_TYPE_GROUP,
                         internet_address_list_get_type()};
  for (const GType type : types) {
    if (G_TYPE_IS_CLASSED(type)) g_type_class_ref(type);
  }
}

}  // namespace

void ensure_gmime_initialised() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_mime_init();
    create_classes();
  });
}

}  // namespace aup::mime
