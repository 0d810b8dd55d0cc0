#include "common/router.h"

#include <charconv>

namespace common {

namespace {

// Splits "/a/b/c" into {"a","b","c"}; "" and "/" give {}.
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = path.starts_with('/') ? 1 : 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  if (out.size() == 1 && out.front().empty()) out.clear();
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Matches a path against a pattern's segments; fills params on success.
bool path_matches(const std::vector<std::string>& pat, const std::vector<std::string_view>& path,
                  std::vector<int64_t>& params) {
  if (pat.size() != path.size()) return false;
  params.clear();
  for (size_t i = 0; i < pat.size(); ++i) {
    if (is_param(pat[i])) {
      auto id = parse_positive_id(path[i]);
      if (!id) return false;
      params.push_back(*id);
    } else if (pat[i] != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<int64_t> parse_positive_id(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value <= 0) return std::nullopt;
  if (s.front() < '0' || s.front() > '9') return std::nullopt;  // from_chars accepts '-'
  return value;
}

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {
  patterns_.reserve(routes_.size());
  for (const Route& route : routes_) {
    const auto parts = segments(route.pattern);
    patterns_.emplace_back(parts.begin(), parts.end());
  }
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  const auto path_segments = segments(path);
  const std::string_view effective = method == "HEAD" ? std::string_view("GET") : method;
  RouteMatch result;
  std::vector<int64_t> params;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route& route = routes_[i];
    if (!path_matches(patterns_[i], path_segments, params)) continue;
    if (route.method == effective) {
      result.kind = RouteMatch::Kind::kFound;
      result.route = &route;
      result.params = params;
      return result;
    }
    result.kind = RouteMatch::Kind::kMethodNotAllowed;
    if (result.allow.find(route.method) == std::string::npos) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += route.method;
    }
  }
  return result;
}

}  // namespace common
