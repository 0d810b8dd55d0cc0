// PostgreSQL WAL positions (pg_lsn, "16/B374D848") as the cache stores them
// next to its versions: 16 lower-case hex digits, so that comparing two
// positions as strings (in Redis's Lua as in C++) compares them as positions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace common::wal {

// "X/Y" (each 1..8 hex digits) -> the position; nullopt for anything else.
std::optional<uint64_t> parse_lsn(std::string_view text);
// The position as 16 lower-case hex digits ("0000001600b374d8").
std::string to_key(uint64_t position);
// The inverse of to_key; nullopt unless exactly 16 hex digits.
std::optional<uint64_t> from_key(std::string_view key);

}  // namespace common::wal
