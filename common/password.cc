#include "common/password.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <memory>
#include <optional>
#include <stdexcept>

#include "common/random.h"

namespace common {

namespace {

constexpr size_t kBcryptSaltBytes = 16;

bool acceptable(std::string_view password) {
  return password.size() <= kMaxPasswordBytes && password.find('\0') == std::string_view::npos;
}

// crypt_r's answer, or nullopt on failure (libxcrypt answers "*0"/"*1" or NULL).
std::optional<std::string> run_crypt(const std::string& phrase, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();  // value-initialised: zeroed, as crypt_r wants
  const char* out = crypt_r(phrase.c_str(), setting.c_str(), data.get());
  if (out == nullptr || out[0] == '*' || out[0] == '\0') return std::nullopt;
  return std::string(out);
}

}  // namespace

std::string hash_password(std::string_view password, int cost) {
  if (!acceptable(password)) {
    throw std::invalid_argument("a password must be at most 72 bytes without NUL");
  }
  if (cost < 4 || cost > 31) throw std::invalid_argument("bcrypt cost must be 4..31");
  char random[kBcryptSaltBytes];
  random_bytes(random, sizeof random);
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), random, sizeof random, setting,
                       sizeof setting) == nullptr) {
    throw std::runtime_error("crypt_gensalt_rn failed for $2b$");
  }
  const auto hashed = run_crypt(std::string(password), setting);
  if (!hashed) throw std::runtime_error("crypt_r failed for $2b$");
  return *hashed;
}

bool verify_password(std::string_view password, std::string_view stored) {
  const std::string setting(stored);
  if (!acceptable(password)) {
    // Spend the same time as a real check, then refuse.
    (void)run_crypt("not the password", setting);
    return false;
  }
  const auto hashed = run_crypt(std::string(password), setting);
  return hashed && hashed->size() == stored.size() &&
         CRYPTO_memcmp(hashed->data(), stored.data(), stored.size()) == 0;
}

}  // namespace common
