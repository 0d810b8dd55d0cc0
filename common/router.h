// The declarative route table: method + pattern ("/api/v1/products/{id}") ->
// handler, with what the route needs (auth, admin) checked centrally before the
// handler runs. Path parameters are positive 64-bit integers; a segment that
// is not one does not match, so the answer is 404 as API.md says.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http.h"
#include "common/request_context.h"

namespace common {

enum class Access { kPublic, kUser, kAdmin, kLoopback };

using Handler = std::function<Response(const Request&, RouteContext&)>;

struct Route {
  std::string method;   // "GET"
  std::string pattern;  // "/api/v1/products/{id}"; one {name} per parameter segment
  Access access;
  Handler handler;
};

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
  const Route* route = nullptr;
  std::vector<int64_t> params;  // in pattern order
  std::string allow;            // for kMethodNotAllowed: "GET, POST"
};

class Router {
 public:
  explicit Router(std::vector<Route> routes);
  // HEAD matches GET routes. Never throws.
  RouteMatch match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  // Each route's pattern split into segments once, here, not per request.
  std::vector<std::vector<std::string>> patterns_;
};

// Parses a positive int64 in decimal without sign or leading '+'; nullopt otherwise.
std::optional<int64_t> parse_positive_id(std::string_view s);

}  // namespace common
