// Small readings of an HTTP request and the headers every answer carries.
#pragma once

#include <string>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace aup::web {

// The value of cookie `name`, or "".
std::string cookie(const httplib::Request& request, const std::string& name);
// The query or form parameter `name`, or "".
std::string param(const httplib::Request& request, const char* name);
// Every X-Forwarded-For line in order, joined as one list.
std::string forwarded_for(const httplib::Request& request);

// 303 to `location` (after a form, so that reloading the page does not post it again).
void redirect(httplib::Response& response, const std::string& location);
// What a browser may do with any page: no scripts, frames or referrers, nothing cached.
void security_headers(const httplib::Request& request, httplib::Response& response);

}  // namespace aup::web
