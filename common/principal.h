// Who is calling: the account an access token was verified for. Plain values,
// no HTTP: the central access check produces it, services take its fields.
#pragma once

#include <cstdint>
#include <string>

namespace common {

// Never a header the client chose: only a verified access token names one.
struct Principal {
  int64_t user_id = 0;
  std::string role;  // "user" | "admin"
  bool is_admin() const { return role == "admin"; }
};

}  // namespace common
