#include "quarantine/smtp_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace aup::quarantine {
namespace {

struct Transfer {
  std::string_view remaining;
  bool all_sent = false;  // the read callback has handed over the last byte
  bool reply_after_data = false;
  std::string last_reply;
  std::string first_refusal;  // the first 4xx/5xx: the reason, not the QUIT that follows
};

size_t read_data(char* buffer, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t n = std::min(size * count, transfer->remaining.size());
  std::memcpy(buffer, transfer->remaining.data(), n);
  transfer->remaining.remove_prefix(n);
  if (n == 0) transfer->all_sent = true;
  return n;
}

// Keeps the server's replies that explain an outcome, for the reviewer to read.
int watch_replies(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  auto* transfer = static_cast<Transfer*>(user);
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.pop_back();
  if (transfer->all_sent) transfer->reply_after_data = true;
  if (transfer->first_refusal.empty() && (line.starts_with('4') || line.starts_with('5'))) {
    transfer->first_refusal = line;
  }
  transfer->last_reply = line;
  return 0;
}

bool safe_address(std::string_view address) {
  return address.find_first_of(std::string_view("\r\n\0<>", 5)) == std::string_view::npos;
}

std::string url_for(const SmtpSubmission& submission) {
  const auto colon = submission.relay.rfind(':');
  std::string host = submission.relay.substr(0, colon);
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  std::string helo = submission.helo;
  if (helo.empty()) {
    char name[256] = {};
    helo = gethostname(name, sizeof name - 1) == 0 && name[0] != '\0' ? name : "localhost";
  }
  return fmt::format("smtp://{}:{}/{}", host, submission.relay.substr(colon + 1), helo);
}

using CurlHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using CurlList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

}  // namespace

std::string with_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

namespace {

// libcurl's list of "<address>" recipients; null when memory ran out.
CurlList recipient_list(const std::vector<std::string>& addresses) {
  CurlList recipients(nullptr, curl_slist_free_all);
  for (const std::string& rcpt : addresses) {
    curl_slist* grown = curl_slist_append(recipients.get(), ("<" + rcpt + ">").c_str());
    if (grown == nullptr) return CurlList(nullptr, curl_slist_free_all);
    static_cast<void>(recipients.release());  // the old head is part of the grown list
    recipients.reset(grown);
  }
  return recipients;
}

// Everything libcurl needs for one submission; the strings and `transfer` must outlive it.
void set_options(CURL* curl, const SmtpSubmission& submission, const std::string& url,
                 const std::string& sender, curl_slist* recipients, const std::string& data,
                 Transfer& transfer, char* error) {
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, sender.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_data);
  curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
  // With the size known, libcurl sees that the data ends in CRLF and adds no blank line.
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
  curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, watch_replies);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);  // makes the debug callback run
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(submission.timeout.count()));
}

// What a finished transfer means: delivered, refused for good, or to be tried again.
SmtpOutcome outcome_of(CURL* curl, CURLcode result, const Transfer& transfer, const char* error,
                       const std::string& relay) {
  SmtpOutcome outcome;
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  outcome.reply = transfer.last_reply;
  if (result == CURLE_OK) {
    outcome.delivered = true;
    return outcome;
  }
  outcome.uncertain = transfer.all_sent && !transfer.reply_after_data;
  if (!transfer.first_refusal.empty()) {
    outcome.reply = transfer.first_refusal;
    code = outcome.reply.starts_with('5') ? 500 : 400;
  }
  outcome.temporary = code < 500;  // 4xx, or no reply at all (refused, timed out)
  if (outcome.reply.empty() || code == 0) {
    outcome.reply =
        fmt::format("{} ({})", error[0] != '\0' ? error : curl_easy_strerror(result), relay);
  }
  return outcome;
}

}  // namespace

SmtpOutcome submit_by_smtp(const SmtpSubmission& submission) noexcept {
  static std::once_flag initialised;
  std::call_once(initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  for (const std::string& address : submission.recipients) {
    if (!safe_address(address)) return {false, false, false, "unsafe recipient address refused"};
  }
  if (!safe_address(submission.sender)) {
    return {false, false, false, "unsafe sender address refused"};
  }
  try {
    CurlHandle curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return {false, true, false, "cannot start an SMTP client"};
    const CurlList recipients = recipient_list(submission.recipients);
    if (!recipients && !submission.recipients.empty()) return {false, true, false, "out of memory"};
    const std::string data = with_crlf(submission.data);
    Transfer transfer;
    transfer.remaining = data;
    const std::string url = url_for(submission);
    const std::string sender = "<" + submission.sender + ">";
    char error[CURL_ERROR_SIZE] = {};
    set_options(curl.get(), submission, url, sender, recipients.get(), data, transfer, error);
    const CURLcode result = curl_easy_perform(curl.get());
    return outcome_of(curl.get(), result, transfer, error, submission.relay);
  } catch (const std::exception& e) {
    return {false, true, false, e.what()};
  }
}

}  // namespace aup::quarantine
