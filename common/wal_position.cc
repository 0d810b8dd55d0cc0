#include "common/wal_position.h"

#include <charconv>

namespace common::wal {

namespace {

std::optional<uint32_t> hex32(std::string_view s) {
  if (s.empty() || s.size() > 8) return std::nullopt;
  uint32_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<uint64_t> parse_lsn(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto hi = hex32(text.substr(0, slash));
  const auto lo = hex32(text.substr(slash + 1));
  if (!hi || !lo) return std::nullopt;
  return (static_cast<uint64_t>(*hi) << 32) | *lo;
}

std::string to_key(uint64_t position) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kDigits[position & 0xf];
    position >>= 4;
  }
  return out;
}

std::optional<uint64_t> from_key(std::string_view key) {
  if (key.size() != 16) return std::nullopt;
  uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), v, 16);
  if (ec != std::errc() || ptr != key.data() + key.size()) return std::nullopt;
  return v;
}

}  // namespace common::wal
