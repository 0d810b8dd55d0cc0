// Translation between libfcgi and the HTTP types: FastCGI params -> Request,
// Response -> CGI-style response on the FastCGI stream.
#pragma once

#include <fcgiapp.h>

#include "common/http.h"

namespace server {

enum class BodyStatus { kOk, kTooLarge };

// Fills method, path, query, headers, remote address and request id (kept from
// nginx's REQUEST_ID param when sane, generated otherwise). Reads the body up
// to max_body_bytes; a larger declared or actual body gives kTooLarge.
BodyStatus read_request(FCGX_Request& fcgi, long max_body_bytes, common::Request& out);

// Writes the response as CGI (cgi_response.h): status line, headers and body
// (no body for HEAD, 204 and 304).
void write_response(FCGX_Request& fcgi, const common::Request& req, const common::Response& res);

}  // namespace server
