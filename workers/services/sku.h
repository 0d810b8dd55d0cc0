// How the catalogue spells a sku (products and variants alike): 1..64 of
// [A-Za-z0-9._-]. Names that share the alphabet (an inventory sync's source)
// use the same character test.
#pragma once

#include <cstddef>

namespace services {

inline constexpr size_t kMaxSkuChars = 64;

// A letter, a digit, '.', '_' or '-'.
constexpr bool is_sku_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace services
