#include "workers/server/cgi_response.h"

namespace server {

namespace {

bool bodiless_status(int status) { return status == 204 || status == 304; }

}  // namespace

std::string cgi_head(const common::Response& res) {
  std::string head =
      "Status: " + std::to_string(res.status) + " " + common::status_text(res.status) + "\r\n";
  if (!res.content_type.empty()) head += "Content-Type: " + res.content_type + "\r\n";
  for (const auto& [name, value] : res.headers) head += name + ": " + value + "\r\n";
  if (!bodiless_status(res.status)) {
    head += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
  }
  head += "\r\n";
  return head;
}

bool cgi_has_body(std::string_view method, int status) {
  return method != "HEAD" && !bodiless_status(status);
}

std::string cgi_response(std::string_view method, const common::Response& res) {
  std::string out = cgi_head(res);
  if (cgi_has_body(method, res.status)) out += res.body;
  return out;
}

}  // namespace server
