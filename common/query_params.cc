#include "common/query_params.h"

#include <charconv>

namespace common {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string url_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
               hex_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

QueryParams QueryParams::parse(std::string_view query) {
  QueryParams result;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name = url_decode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1), true);
    result.params_.emplace_back(std::move(name), std::move(value));
  }
  return result;
}

std::optional<std::string> QueryParams::get(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<int64_t> parse_decimal(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<bool> parse_query_bool(std::string_view value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return std::nullopt;
}

std::string IntRange::describe() const {
  if (max == std::numeric_limits<int64_t>::max()) {
    return "must be an integer >= " + std::to_string(min);
  }
  return "must be an integer between " + std::to_string(min) + " and " + std::to_string(max);
}

std::optional<int64_t> query_int(const QueryParams& query, const char* name, IntRange range,
                                 FieldErrors& errors, const std::string& problem) {
  const auto raw = query.get(name);
  if (!raw) return std::nullopt;
  const auto value = parse_decimal(*raw);
  if (!value || *value < range.min || *value > range.max) {
    errors.add(name, problem.empty() ? range.describe() : problem);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> query_bool(const QueryParams& query, const char* name, FieldErrors& errors) {
  const auto raw = query.get(name);
  if (!raw) return std::nullopt;
  const auto value = parse_query_bool(*raw);
  if (!value) errors.add(name, "must be true, false, 1 or 0");
  return value;
}

void check_ordered(const char* min_name, const std::optional<int64_t>& min, const char* max_name,
                   const std::optional<int64_t>& max, FieldErrors& errors) {
  if (min && max && *min > *max) {
    errors.add(max_name, std::string("must be greater than or equal to ") + min_name);
  }
}

}  // namespace common
