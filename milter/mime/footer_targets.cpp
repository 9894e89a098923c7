// The parts a footer is added to.
#include "mime/footer_targets.hpp"

#include <fmt/format.h>

#include "mime/gmime_strings.hpp"

namespace aup::mime {
namespace {

std::string type_of(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  if (type == nullptr) return "text/plain";
  return lower(fmt::format("{}/{}", safe(g_mime_content_type_get_media_type(type)),
                           safe(g_mime_content_type_get_media_subtype(type))));
}

bool is_body_text(GMimeObject* object) {
  if (!GMIME_IS_PART(object)) return false;
  const std::string type = type_of(object);
  const char* disposition = g_mime_object_get_disposition(object);
  return (type == "text/plain" || type == "text/html") &&
         (disposition == nullptr || !iequals(disposition, "attachment")) &&
         g_mime_part_get_filename(GMIME_PART(object)) == nullptr;
}

std::string child_path(const std::string& parent, int index) {
  return parent.empty() ? std::to_string(index + 1) : fmt::format("{}.{}", parent, index + 1);
}

// The root of a multipart/related: the part its start parameter names, else the first.
int related_root(GMimeMultipart* related) {
  const char* start = g_mime_object_get_content_type_parameter(GMIME_OBJECT(related), "start");
  if (start == nullptr) return 0;
  std::string wanted(start);
  if (wanted.size() > 2 && wanted.front() == '<') wanted = wanted.substr(1, wanted.size() - 2);
  for (int i = 0; i < g_mime_multipart_get_count(related); ++i) {
    const char* id = g_mime_object_get_content_id(g_mime_multipart_get_part(related, i));
    if (id != nullptr && wanted == id) return i;
  }
  return 0;
}

void collect(GMimeObject* object, const std::string& path, std::vector<FooterTarget>& out) {
  if (is_body_text(object)) {
    out.push_back({GMIME_PART(object), path.empty() ? "1" : path, type_of(object) == "text/html"});
    return;
  }
  if (!GMIME_IS_MULTIPART(object)) return;
  GMimeMultipart* multipart = GMIME_MULTIPART(object);
  const int count = g_mime_multipart_get_count(multipart);
  if (count == 0) return;
  const std::string type = type_of(object);
  if (type == "multipart/alternative") {
    for (int i = 0; i < count; ++i) {
      collect(g_mime_multipart_get_part(multipart, i), child_path(path, i), out);
    }
  } else if (type == "multipart/related") {
    const int root = related_root(multipart);
    collect(g_mime_multipart_get_part(multipart, root), child_path(path, root), out);
  } else if (type == "multipart/mixed") {
    // The text runs until the first attachment; images shown inline may interleave it (Apple
    // Mail): the footer belongs to the last piece of text in that run.
    int main_text = -1;
    for (int i = 0; i < count; ++i) {
      GMimeObject* child = g_mime_multipart_get_part(multipart, i);
      const char* disposition = g_mime_object_get_disposition(child);
      if (disposition != nullptr && iequals(disposition, "attachment")) break;
      const std::string child_type = type_of(child);
      if (is_body_text(child) || child_type == "multipart/alternative" ||
          child_type == "multipart/related" || child_type == "multipart/mixed") {
        main_text = i;
      }
    }
    if (main_text >= 0) {
      collect(g_mime_multipart_get_part(multipart, main_text), child_path(path, main_text), out);
    }
  }
}

}  // namespace

bool signed_or_encrypted(GMimeObject* object) {
  const std::string type = type_of(object);
  if (type == "multipart/signed" || type == "multipart/encrypted" ||
      type == "application/pkcs7-mime" || type == "application/x-pkcs7-mime" ||
      type == "application/pgp-encrypted" || type == "application/pgp-signature" ||
      type == "application/pkcs7-signature" || type == "application/x-pkcs7-signature") {
    return true;
  }
  if (!GMIME_IS_MULTIPART(object)) return false;
  GMimeMultipart* multipart = GMIME_MULTIPART(object);
  for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
    if (signed_or_encrypted(g_mime_multipart_get_part(multipart, i))) return true;
  }
  return false;
}

std::vector<FooterTarget> footer_targets(GMimeObject* top) {
  std::vector<FooterTarget> targets;
  collect(top, "", targets);
  return targets;
}

}  // namespace aup::mime
