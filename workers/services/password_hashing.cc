#include "workers/services/password_hashing.h"

#include <chrono>
#include <map>

#include "common/error.h"
#include "common/password.h"
#include "common/random.h"

namespace services {

using common::AppError;
using common::ErrorCode;

common::bcrypt_gate::Permit hashing_slot() {
  auto permit = common::bcrypt_gate::acquire(std::chrono::milliseconds(kHashingSlotWaitMs));
  if (!permit) {
    AppError error(ErrorCode::kUnavailable, "too many sign-ins at once; try again shortly");
    error.with_header("Retry-After", "1");
    throw error;
  }
  return std::move(*permit);
}

const std::string& dummy_hash(int cost) {
  static std::map<int, std::string> hashes;
  auto it = hashes.find(cost);
  if (it == hashes.end()) {
    it = hashes.emplace(cost, common::hash_password(common::random_token(24), cost)).first;
  }
  return it->second;
}

}  // namespace services
