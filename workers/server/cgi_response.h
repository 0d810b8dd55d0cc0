// A common::Response as a CGI response, the form both FastCGI paths write on
// their stdout stream: the workers (libfcgi, fcgi_request.h) and the master's
// status socket (fcgi_codec.h).
//
//   Status: 200 OK\r\n
//   Content-Type: ...\r\n          when the response has one
//   Name: value\r\n                each of response.headers, in order
//   Content-Length: N\r\n          except for 204 and 304
//   \r\n
//   body                           except for HEAD, 204 and 304
#pragma once

#include <string>
#include <string_view>

#include "common/http.h"

namespace server {

// Everything before the body, including the blank line.
std::string cgi_head(const common::Response& response);

// Whether the body follows the head: not for HEAD, nor for 204 and 304.
bool cgi_has_body(std::string_view method, int status);

// The head and, when cgi_has_body(), the body.
std::string cgi_response(std::string_view method, const common::Response& response);

}  // namespace server
