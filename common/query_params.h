// Query strings: decoding them, and the one parser of their values that every
// handler uses (integers in a range, booleans, min/max pairs), with API.md's
// rules: a present parameter of the wrong type or out of range is a problem
// recorded in FieldErrors under its name (one VALIDATION_ERROR names them
// all); an absent one is nullopt; unknown parameters are ignored.
//
// HTTP input: handlers turn a query into a typed request; nothing below them
// includes this.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace common {

// Query parameters, decoded ('+' is space, %XX). A repeated name keeps its first value.
class QueryParams {
 public:
  static QueryParams parse(std::string_view query);
  std::optional<std::string> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// Percent-decoding; '+' becomes a space when plus_is_space. Invalid escapes are kept as is.
std::string url_decode(std::string_view in, bool plus_is_space);

// The whole of `text` as a decimal integer (an optional '-', digits, nothing
// else, within int64), or nullopt.
std::optional<int64_t> parse_decimal(std::string_view text);

// true|1 -> true, false|0 -> false, anything else nullopt.
std::optional<bool> parse_query_bool(std::string_view value);

// An inclusive range of integers.
struct IntRange {
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  // "must be an integer >= 1" when unbounded above, else "must be an integer
  // between 1 and 100".
  std::string describe() const;
};

// The parameter `name` as an integer in `range`. Absent: nullopt. Present but
// not such an integer: nullopt, and `problem` (or range.describe()) recorded.
std::optional<int64_t> query_int(const QueryParams& query, const char* name, IntRange range,
                                 FieldErrors& errors, const std::string& problem = {});

// The parameter `name` as true|1|false|0. Absent: nullopt. Anything else:
// nullopt, and "must be true, false, 1 or 0" recorded.
std::optional<bool> query_bool(const QueryParams& query, const char* name, FieldErrors& errors);

// A min/max pair of parameters: when both are given, min must not exceed max,
// else "must be greater than or equal to <min_name>" is recorded for max_name.
void check_ordered(const char* min_name, const std::optional<int64_t>& min, const char* max_name,
                   const std::optional<int64_t>& max, FieldErrors& errors);

}  // namespace common
