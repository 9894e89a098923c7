// File names from Content-Disposition and Content-Type parameters, read from the raw fields.
#include "mime/part_names.hpp"

#include <algorithm>

#include "mime/gmime_runtime.hpp"
#include "mime/gmime_strings.hpp"
#include "mime/text_decode.hpp"

namespace aup::mime {
namespace {

void add_unique(std::vector<std::string>& names, std::string name) {
  if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
    names.push_back(std::move(name));
  }
}

// Values of parameter `name`, RFC 2231 ones (filename*=) first, as RFC 2231-aware readers
// prefer them over a plain value next to them.
void add_parameter_values(GMimeParamList* params, const char* name,
                          std::vector<std::string>& names) {
  const int count = params != nullptr ? g_mime_param_list_length(params) : 0;
  for (const bool want_rfc2231 : {true, false}) {
    for (int i = 0; i < count; ++i) {
      GMimeParam* param = g_mime_param_list_get_parameter_at(params, i);
      const bool rfc2231 =
          g_mime_param_get_encoding_method(param) == GMIME_PARAM_ENCODING_METHOD_RFC2231;
      if (rfc2231 == want_rfc2231 && g_ascii_strcasecmp(g_mime_param_get_name(param), name) == 0) {
        add_unique(names, safe(g_mime_param_get_value(param)));
      }
    }
  }
}

// Parameters are re-read from the raw field with its encoded words normalised, so that GMime's
// shared base64 state (see normalise_encoded_words) cannot cut a file name short.
void add_names_from(const char* raw, bool disposition, std::vector<std::string>& names) {
  GString_ unfolded(g_mime_utils_header_unfold(normalise_encoded_words(raw).c_str()));
  if (unfolded.get() == nullptr) return;
  if (disposition) {
    GPtr<GMimeContentDisposition> parsed(g_mime_content_disposition_parse(nullptr, unfolded.get()));
    if (parsed)
      add_parameter_values(g_mime_content_disposition_get_parameters(parsed.get()), "filename",
                           names);
  } else {
    GPtr<GMimeContentType> parsed(g_mime_content_type_parse(nullptr, unfolded.get()));
    if (parsed)
      add_parameter_values(g_mime_content_type_get_parameters(parsed.get()), "name", names);
  }
}

}  // namespace

// Readers disagree on which name they save a file as, so a rule must see them all.
std::vector<std::string> part_names(GMimeObject* object) {
  std::vector<std::string> names;
  GMimeHeaderList* list = g_mime_object_get_header_list(object);
  const int count = list != nullptr ? g_mime_header_list_get_count(list) : 0;
  for (const bool disposition : {true, false}) {
    for (int i = 0; i < count; ++i) {
      GMimeHeader* header = g_mime_header_list_get_header_at(list, i);
      const char* raw = g_mime_header_get_raw_value(header);
      const std::string_view field = disposition ? "Content-Disposition" : "Content-Type";
      if (raw != nullptr && iequals(safe(g_mime_header_get_name(header)), field)) {
        add_names_from(raw, disposition, names);
      }
    }
  }
  return names;
}

}  // namespace aup::mime
