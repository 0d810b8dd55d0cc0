// Parameter text for named statements: integers, optional integers (nullopt is
// SQL NULL) and PostgreSQL array literals ("{1,2,3}") to bind as
// $n::bigint[] / $n::integer[]. Parameters never become SQL text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.h"

namespace common::pg {

inline std::string num(int64_t v) { return std::to_string(v); }

inline Param opt_num(const std::optional<int64_t>& v) {
  return v ? Param(std::to_string(*v)) : std::nullopt;
}

// "{1,2,3}"; "{}" for an empty list.
inline std::string int_array(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  out += '}';
  return out;
}

}  // namespace common::pg
