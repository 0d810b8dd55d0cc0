// HTTP request/response types, independent of FastCGI (the worker loop fills a
// Request from FastCGI params; tests build one directly).
#pragma once

#include <json/value.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/query_params.h"  // QueryParams, for the handlers of Request::query

namespace common {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path without the query, e.g. "/api/v1/products/1"
  std::string query;   // raw query string, without '?'
  // Header names are lower case with '-' ("if-none-match").
  std::map<std::string, std::string> headers;
  std::string body;
  std::string remote_addr;
  std::string request_id;  // always set by the worker loop before dispatch

  // The header value, or nullopt. `name` must be lower case.
  std::optional<std::string> header(std::string_view name) const;
};

struct Response {
  int status = 200;
  // Rendered JSON (envelope already applied) or empty for 204/304.
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;

  // 2xx answer: {"success": true, "data": data, "timestamp": now}.
  static Response ok(const Json::Value& data, int status = 200);
  // A body that is not the envelope (the /health probe).
  static Response raw_json(const Json::Value& value, int status);
  static Response no_content();  // 204

  Response& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// Answers a catalogue GET with an ETag over `data` (not the envelope, whose
// timestamp changes) and 304 when If-None-Match matches it.
Response conditional_ok(const Request& req, const Json::Value& data);
// The same for `data` already rendered as JSON, with its ETag (make_etag of
// those bytes): the form a cached answer is kept in.
Response conditional_ok(const Request& req, std::string_view data_json, const std::string& etag);

// FNV-1a, 64 bit: a fast, stable, non-cryptographic hash (ETags, the
// scoreboard's series tables). Continues `hash` over `bytes`, so a key made of
// several parts is hashed by chaining calls; start from kFnv1aBasis.
inline constexpr uint64_t kFnv1aBasis = 1469598103934665603ULL;
uint64_t fnv1a64(std::string_view bytes, uint64_t hash = kFnv1aBasis);

// Strong ETag of a byte string: "\"<16 hex digits>\"" (FNV-1a 64).
std::string make_etag(std::string_view bytes);
// True when an If-None-Match header value (a list, "*", or weak tags) matches etag.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// The reason phrase for a status ("Not Found").
const char* status_text(int status);

// A request id is kept when it is 1..128 chars of [A-Za-z0-9._-]; else a new one is made.
bool is_sane_request_id(std::string_view id);
std::string generate_request_id();

}  // namespace common

namespace common {
// The JSON object body of a request: Content-Type must be application/json
// (any charset parameter), the body a JSON object (API.md input rules).
// Throws AppError(kInvalidJson) otherwise.
Json::Value json_body(const Request& req);
}  // namespace common
