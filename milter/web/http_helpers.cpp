// Cookies, parameters and the safety headers of every answer.
#include "web/http_helpers.hpp"

#include <httplib.h>

namespace aup::web {

std::string cookie(const httplib::Request& request, const std::string& name) {
  const std::string header = request.get_header_value("Cookie");
  for (size_t start = 0; start < header.size();) {
    size_t end = header.find(';', start);
    if (end == std::string::npos) end = header.size();
    std::string pair = header.substr(start, end - start);
    pair.erase(0, pair.find_first_not_of(' '));
    if (pair.compare(0, name.size() + 1, name + "=") == 0) return pair.substr(name.size() + 1);
    start = end + 1;
  }
  return "";
}

std::string param(const httplib::Request& request, const char* name) {
  return request.has_param(name) ? request.get_param_value(name) : "";
}

std::string forwarded_for(const httplib::Request& request) {
  std::string joined;
  for (size_t i = 0; i < request.get_header_value_count("X-Forwarded-For"); ++i)
    joined += (i ? "," : "") + request.get_header_value("X-Forwarded-For", i);
  return joined;
}

void redirect(httplib::Response& response, const std::string& location) {
  response.status = 303;
  response.set_header("Location", location);
}

void security_headers(const httplib::Request& /*request*/, httplib::Response& response) {
  if (!response.has_header("Content-Security-Policy")) {
    response.set_header("Content-Security-Policy",
                        "default-src 'none'; style-src 'self'; img-src 'self'; "
                        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  }
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Cache-Control", "no-store");
  response.set_header("Cross-Origin-Opener-Policy", "same-origin");
}

}  // namespace aup::web
