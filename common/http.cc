#include "common/http.h"

#include <cstdio>
#include <random>

#include "common/json.h"
#include "common/time_util.h"

namespace common {

std::optional<std::string> Request::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

Response Response::ok(const Json::Value& data, int status) {
  Json::Value envelope(Json::objectValue);
  envelope["success"] = true;
  envelope["data"] = data;
  envelope["timestamp"] = now_rfc3339();
  Response r;
  r.status = status;
  r.body = json::write(envelope);
  return r;
}

Response Response::raw_json(const Json::Value& value, int status) {
  Response r;
  r.status = status;
  r.body = json::write(value);
  return r;
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

uint64_t fnv1a64(std::string_view bytes, uint64_t hash) {
  for (const unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string make_etag(std::string_view bytes) {
  const uint64_t hash = fnv1a64(bytes);
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return buf;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  size_t pos = 0;
  while (pos < if_none_match.size()) {
    size_t comma = if_none_match.find(',', pos);
    if (comma == std::string_view::npos) comma = if_none_match.size();
    std::string_view tag = if_none_match.substr(pos, comma - pos);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);  // weak comparison, RFC 9110 13.1.2
    if (tag == etag) return true;
    pos = comma + 1;
  }
  return false;
}

Response conditional_ok(const Request& req, const Json::Value& data) {
  const std::string data_json = json::write(data);
  return conditional_ok(req, data_json, make_etag(data_json));
}

Response conditional_ok(const Request& req, std::string_view data_json, const std::string& etag) {
  if (auto inm = req.header("if-none-match"); inm && etag_matches(*inm, etag)) {
    Response r;
    r.status = 304;
    r.content_type.clear();
    r.with_header("ETag", etag);
    return r;
  }
  Response r;
  // The envelope is assembled around the already rendered data so that data is
  // written once.
  r.body.reserve(data_json.size() + 80);
  r.body = "{\"success\":true,\"data\":";
  r.body += data_json;
  r.body += ",\"timestamp\":\"" + now_rfc3339() + "\"}";
  r.with_header("ETag", etag);
  return r;
}

const char* status_text(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

bool is_sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string generate_request_id() {
  // Seeded per process on first use (after fork), so workers never share a sequence.
  static std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

}  // namespace common

namespace common {
Json::Value json_body(const Request& req) {
  const std::string type = req.header("content-type").value_or("");
  const std::string_view media = std::string_view(type).substr(0, type.find(';'));
  if (media != "application/json") {
    throw AppError(ErrorCode::kInvalidJson, "Content-Type must be application/json");
  }
  return json::parse_object(req.body);
}
}  // namespace common
