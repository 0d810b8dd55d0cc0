#include "workers/server/fcgi_request.h"

#include <cctype>
#include <cstdlib>
#include <string>

#include "workers/server/cgi_response.h"

namespace server {

namespace {

std::string param(FCGX_Request& fcgi, const char* name) {
  const char* v = FCGX_GetParam(name, fcgi.envp);
  return v ? v : "";
}

// "HTTP_IF_NONE_MATCH" -> "if-none-match"
std::string header_name(std::string_view cgi_name) {
  std::string out;
  out.reserve(cgi_name.size());
  for (char c : cgi_name) {
    out.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

BodyStatus read_request(FCGX_Request& fcgi, long max_body_bytes, common::Request& out) {
  out.method = param(fcgi, "REQUEST_METHOD");
  std::string uri = param(fcgi, "DOCUMENT_URI");
  if (uri.empty()) {
    uri = param(fcgi, "REQUEST_URI");
    uri = common::url_decode(uri.substr(0, uri.find('?')), false);
  }
  out.path = std::move(uri);
  out.query = param(fcgi, "QUERY_STRING");
  out.remote_addr = param(fcgi, "REMOTE_ADDR");
  for (char** env = fcgi.envp; env && *env; ++env) {
    std::string_view kv(*env);
    if (!kv.starts_with("HTTP_")) continue;
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    out.headers[header_name(kv.substr(5, eq - 5))] = std::string(kv.substr(eq + 1));
  }
  if (auto type = FCGX_GetParam("CONTENT_TYPE", fcgi.envp)) out.headers["content-type"] = type;
  const std::string rid = param(fcgi, "REQUEST_ID");
  out.request_id = common::is_sane_request_id(rid) ? rid : common::generate_request_id();

  const std::string length = param(fcgi, "CONTENT_LENGTH");
  const long declared = length.empty() ? 0 : std::strtol(length.c_str(), nullptr, 10);
  if (declared > max_body_bytes) return BodyStatus::kTooLarge;
  out.body.clear();
  char buf[8192];
  for (;;) {
    const int n = FCGX_GetStr(buf, sizeof buf, fcgi.in);
    if (n <= 0) break;
    out.body.append(buf, static_cast<size_t>(n));
    if (static_cast<long>(out.body.size()) > max_body_bytes) return BodyStatus::kTooLarge;
  }
  return BodyStatus::kOk;
}

void write_response(FCGX_Request& fcgi, const common::Request& req, const common::Response& res) {
  const std::string head = cgi_head(res);
  FCGX_PutStr(head.data(), static_cast<int>(head.size()), fcgi.out);
  if (cgi_has_body(req.method, res.status) && !res.body.empty()) {
    FCGX_PutStr(res.body.data(), static_cast<int>(res.body.size()), fcgi.out);
  }
}

}  // namespace server
