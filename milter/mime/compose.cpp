// Message construction with GMime, so examples exercise the same parser as real mail.
#include "mime/compose.hpp"

#include "mime/gmime_runtime.hpp"

namespace aup::mime {
namespace {

GMimeObject* text_part(const std::string& subtype, const std::string& content) {
  GMimeTextPart* part = g_mime_text_part_new_with_subtype(subtype.c_str());
  g_mime_text_part_set_text(part, content.c_str());  // picks charset and transfer encoding
  return GMIME_OBJECT(part);
}

GMimeObject* body_of(const Draft& draft) {
  if (!draft.text.empty() && !draft.html.empty()) {
    GMimeMultipart* alternative = g_mime_multipart_new_with_subtype("alternative");
    GPtr<GMimeObject> plain(text_part("plain", draft.text));
    GPtr<GMimeObject> html(text_part("html", draft.html));
    g_mime_multipart_add(alternative, plain.get());
    g_mime_multipart_add(alternative, html.get());
    return GMIME_OBJECT(alternative);
  }
  if (!draft.html.empty()) return text_part("html", draft.html);
  return text_part("plain", draft.text);
}

GMimeObject* attachment_part(const DraftAttachment& attachment) {
  GMimeContentType* type = g_mime_content_type_parse(nullptr, attachment.content_type.c_str());
  GMimePart* part = g_mime_part_new_with_type(g_mime_content_type_get_media_type(type),
                                              g_mime_content_type_get_media_subtype(type));
  g_object_unref(type);
  GPtr<GMimeStream> stream(
      g_mime_stream_mem_new_with_buffer(attachment.content.data(), attachment.content.size()));
  GPtr<GMimeDataWrapper> content(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part, content.get());
  g_mime_part_set_filename(part, attachment.filename.c_str());
  g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
  return GMIME_OBJECT(part);
}

void add_addresses(GMimeMessage* message, GMimeAddressType type,
                   const std::vector<std::string>& addresses) {
  InternetAddressList* list = g_mime_message_get_addresses(message, type);
  for (const std::string& address : addresses) {
    GPtr<InternetAddressList> parsed(internet_address_list_parse(nullptr, address.c_str()));
    if (parsed) internet_address_list_append(list, parsed.get());
  }
}

}  // namespace

std::string compose_message(const Draft& draft) {
  ensure_gmime_initialised();
  GPtr<GMimeMessage> message(g_mime_message_new(TRUE));
  if (!draft.from.empty()) add_addresses(message.get(), GMIME_ADDRESS_TYPE_FROM, {draft.from});
  add_addresses(message.get(), GMIME_ADDRESS_TYPE_TO, draft.to);
  add_addresses(message.get(), GMIME_ADDRESS_TYPE_CC, draft.cc);
  g_mime_message_set_subject(message.get(), draft.subject.c_str(), "utf-8");
  for (const auto& [name, value] : draft.headers) {
    g_mime_object_append_header(GMIME_OBJECT(message.get()), name.c_str(), value.c_str(), "utf-8");
  }
  GPtr<GMimeObject> body(body_of(draft));
  if (draft.attachments.empty()) {
    g_mime_message_set_mime_part(message.get(), body.get());
  } else {
    GPtr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
    g_mime_multipart_add(mixed.get(), body.get());
    for (const DraftAttachment& attachment : draft.attachments) {
      GPtr<GMimeObject> part(attachment_part(attachment));
      g_mime_multipart_add(mixed.get(), part.get());
    }
    g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(mixed.get()));
  }
  GString_ text(g_mime_object_to_string(GMIME_OBJECT(message.get()), nullptr));
  return text.get() != nullptr ? text.get() : "";
}

}  // namespace aup::mime
