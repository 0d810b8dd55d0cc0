// common/password (bcrypt through libxcrypt), common/sha256 and
// common/random: what passwords and refresh tokens are stored as.
#include "common/password.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "common/base64url.h"
#include "common/random.h"
#include "common/sha256.h"
#include "workers/services/auth_service.h"

namespace {
constexpr int kCost = 4;  // the minimum: these tests are about behaviour, not strength
}

TEST_CASE("bcrypt round trip: $2b$ with the given cost and a fresh salt", "[unit][password]") {
  const std::string hash = common::hash_password("correct horse battery", kCost);
  CHECK(hash.size() == 60);
  CHECK(hash.rfind("$2b$04$", 0) == 0);
  CHECK(common::verify_password("correct horse battery", hash));
  CHECK_FALSE(common::verify_password("correct horse batterY", hash));
  CHECK_FALSE(common::verify_password("", hash));
  CHECK(common::hash_password("correct horse battery", kCost) != hash);  // salted
  CHECK(common::hash_password("x", 5).rfind("$2b$05$", 0) == 0);
}

TEST_CASE("bcrypt verifies a published test vector", "[unit][password]") {
  // From the OpenBSD / John the Ripper bcrypt vectors.
  CHECK(common::verify_password("U*U",
                                "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  CHECK_FALSE(common::verify_password(
      "U*V", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
}

TEST_CASE("bcrypt takes up to 72 bytes and refuses what it would truncate", "[unit][password]") {
  const std::string max(72, 'p');
  const std::string hash = common::hash_password(max, kCost);
  CHECK(common::verify_password(max, hash));
  // 73 bytes would hash like their first 72: refused instead of matching.
  CHECK_FALSE(common::verify_password(max + "q", hash));
  CHECK_THROWS_AS(common::hash_password(max + "q", kCost), std::invalid_argument);
  // NUL would end the C string early.
  const std::string with_nul("secret\0more", 11);
  CHECK_THROWS_AS(common::hash_password(with_nul, kCost), std::invalid_argument);
  CHECK_FALSE(common::verify_password(with_nul, common::hash_password("secret", kCost)));
  CHECK_THROWS_AS(common::hash_password("password", 3), std::invalid_argument);
}

TEST_CASE("a stored value that is not a hash never verifies", "[unit][password]") {
  for (const char* stored : {"", "*0", "password", "$2b$04$short", "$1$abc$def", "$2b$99$"}) {
    INFO(stored);
    CHECK_FALSE(common::verify_password("password", stored));
  }
}

TEST_CASE("sha256_hex matches the FIPS 180-2 vectors", "[unit][password]") {
  CHECK(common::sha256_hex("") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(common::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(common::hex_encode(std::string("\x00\xff\x10", 3)) == "00ff10");
}

TEST_CASE("refresh tokens are 256 random bits, stored as their SHA-256", "[unit][password]") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = common::random_token(32);
    CHECK(token.size() == 43);  // 32 bytes in unpadded base64url
    CHECK(common::base64url_decode(token)->size() == 32);
    CHECK(seen.insert(token).second);
    const std::string stored = services::refresh_token_hash(token);
    CHECK(stored == common::sha256_hex(token));
    CHECK(stored.size() == 64);
    CHECK(stored.find(token) == std::string::npos);
  }
  CHECK(services::refresh_token_hash("a") != services::refresh_token_hash("b"));
}
