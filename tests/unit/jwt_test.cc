// common/jwt: HS256 access tokens, and the encodings they are made of.
#include "common/jwt.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "common/base64url.h"
#include "common/json.h"

namespace jwt = common::jwt;
using common::base64url_decode;
using common::base64url_encode;

namespace {

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef-test-key";
constexpr int64_t kNow = 1'800'000'000;

jwt::Claims claims(int64_t iat = kNow, int64_t exp = kNow + 900) {
  return {42, "user", iat, exp, "jti-1"};
}

struct Parts {
  std::string header, payload, signature;
};

Parts split(const std::string& token) {
  const size_t a = token.find('.');
  const size_t b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

std::string join(const Parts& p) { return p.header + "." + p.payload + "." + p.signature; }

std::string encode_json(const std::string& json) { return base64url_encode(json); }

// A token over any header and payload JSON, signed with kSecret by OpenSSL
// directly (independent of jwt::sign).
std::string sign_raw(const std::string& header, const std::string& payload) {
  const std::string input = encode_json(header) + "." + encode_json(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), kSecret, static_cast<int>(std::strlen(kSecret)),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  return input + "." + base64url_encode(std::string(reinterpret_cast<char*>(mac), length));
}

}  // namespace

TEST_CASE("base64url encodes the RFC 4648 vectors without padding", "[unit][jwt]") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("fooba") == "Zm9vYmE");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
  CHECK(base64url_encode("\xfb\xff") == "-_8");  // the url-safe characters
  for (const char* text : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff\x00\x01"}) {
    CHECK(base64url_decode(base64url_encode(text)) == std::string(text));
  }
}

TEST_CASE("base64url decoding is strict", "[unit][jwt]") {
  CHECK_FALSE(base64url_decode("Zg==").has_value());   // padding
  CHECK_FALSE(base64url_decode("+/8").has_value());    // standard alphabet
  CHECK_FALSE(base64url_decode("Zm 9v").has_value());  // whitespace
  CHECK_FALSE(base64url_decode("Zm9vY").has_value());  // impossible length (1 mod 4)
  CHECK_FALSE(base64url_decode("Zh").has_value());     // non-zero spare bits ("Zg" is canonical)
  CHECK(base64url_decode("Zg") == std::string("f"));
}

TEST_CASE("a signed token verifies and gives its claims back", "[unit][jwt]") {
  const std::string token = jwt::sign(claims(), kSecret);
  const Parts parts = split(token);
  const Json::Value header = common::json::parse_trusted(*base64url_decode(parts.header));
  CHECK(header["alg"] == "HS256");
  CHECK(header["typ"] == "JWT");
  const Json::Value payload = common::json::parse_trusted(*base64url_decode(parts.payload));
  CHECK(payload["sub"] == "42");  // RFC 7519: sub is a string
  CHECK(payload["role"] == "user");
  CHECK(payload["iat"] == static_cast<Json::Int64>(kNow));
  CHECK(payload["exp"] == static_cast<Json::Int64>(kNow + 900));
  CHECK(payload["jti"] == "jti-1");

  const jwt::Verification v = jwt::verify(token, kSecret, kNow + 10);
  REQUIRE(v.ok());
  CHECK(v.claims.sub == 42);
  CHECK(v.claims.role == "user");
  CHECK(v.claims.iat == kNow);
  CHECK(v.claims.exp == kNow + 900);
  CHECK(v.claims.jti == "jti-1");
}

TEST_CASE("the token version travels as \"ver\", a token without it is version 0", "[unit][jwt]") {
  jwt::Claims versioned = claims();
  versioned.ver = 7;
  const std::string token = jwt::sign(versioned, kSecret);
  const Json::Value payload = common::json::parse_trusted(*base64url_decode(split(token).payload));
  CHECK(payload["ver"] == 7);
  CHECK(jwt::verify(token, kSecret, kNow).claims.ver == 7);

  const std::string old =
      sign_raw(R"({"alg":"HS256","typ":"JWT"})",
               R"({"sub":"42","role":"user","iat":1800000000,"exp":1800000900,"jti":"j"})");
  const jwt::Verification v = jwt::verify(old, kSecret, kNow);
  REQUIRE(v.ok());
  CHECK(v.claims.ver == 0);
}

TEST_CASE("a tampered payload or signature fails the signature check", "[unit][jwt]") {
  const std::string token = jwt::sign(claims(), kSecret);
  Parts parts = split(token);

  Parts promoted = parts;
  promoted.payload =
      encode_json(R"({"exp":1800000900,"iat":1800000000,"jti":"jti-1","role":"admin","sub":"42"})");
  CHECK(jwt::verify(join(promoted), kSecret, kNow).failure == jwt::Failure::kBadSignature);

  Parts other_user = parts;
  other_user.payload =
      encode_json(R"({"exp":1800000900,"iat":1800000000,"jti":"jti-1","role":"user","sub":"1"})");
  CHECK(jwt::verify(join(other_user), kSecret, kNow).failure == jwt::Failure::kBadSignature);

  Parts flipped = parts;
  flipped.signature[0] = flipped.signature[0] == 'A' ? 'B' : 'A';
  CHECK(jwt::verify(join(flipped), kSecret, kNow).failure == jwt::Failure::kBadSignature);

  CHECK(jwt::verify(token, "another-secret-another-secret-xx", kNow).failure ==
        jwt::Failure::kBadSignature);
}

TEST_CASE("only HS256 is accepted, alg none included", "[unit][jwt]") {
  const Parts parts = split(jwt::sign(claims(), kSecret));
  struct Case {
    const char* header;
    const char* signature;
  };
  const Case cases[] = {
      {R"({"alg":"none","typ":"JWT"})", ""},
      {R"({"alg":"none","typ":"JWT"})", "x"},
      {R"({"alg":"None"})", ""},
      {R"({"alg":"HS512","typ":"JWT"})", nullptr},
      {R"({"alg":"RS256","typ":"JWT"})", nullptr},
      {R"({"alg":"hs256","typ":"JWT"})", nullptr},
      {R"({"typ":"JWT"})", nullptr},
      {R"({"alg":["HS256"]})", nullptr},
      {R"({"alg":"HS256","crit":["exp"]})", nullptr},
  };
  for (const Case& c : cases) {
    INFO(c.header);
    const std::string token = encode_json(c.header) + "." + parts.payload + "." +
                              (c.signature ? c.signature : parts.signature);
    CHECK(jwt::verify(token, kSecret, kNow).failure == jwt::Failure::kUnsupportedAlgorithm);
  }
  // A correct HMAC-SHA256 does not make another alg acceptable.
  const std::string payload = *base64url_decode(parts.payload);
  CHECK(jwt::verify(sign_raw(R"({"alg":"HS384"})", payload), kSecret, kNow).failure ==
        jwt::Failure::kUnsupportedAlgorithm);
  CHECK(jwt::verify(sign_raw(R"({"alg":"HS256"})", payload), kSecret, kNow).ok());
}

TEST_CASE("expiry and issue time are checked with a small leeway", "[unit][jwt]") {
  const std::string token = jwt::sign(claims(kNow, kNow + 900), kSecret);
  CHECK(jwt::verify(token, kSecret, kNow + 899).ok());
  CHECK(jwt::verify(token, kSecret, kNow + 900 + jwt::kLeewaySeconds - 1).ok());
  CHECK(jwt::verify(token, kSecret, kNow + 900 + jwt::kLeewaySeconds).failure ==
        jwt::Failure::kExpired);
  CHECK(jwt::verify(token, kSecret, kNow + 86400).failure == jwt::Failure::kExpired);

  // Issued in the future (a clock ahead, or a forged iat): not yet valid.
  CHECK(jwt::verify(token, kSecret, kNow - jwt::kLeewaySeconds).ok());
  CHECK(jwt::verify(token, kSecret, kNow - jwt::kLeewaySeconds - 1).failure ==
        jwt::Failure::kNotYetValid);
  CHECK(jwt::verify(token, kSecret, kNow - 3600).failure == jwt::Failure::kNotYetValid);

  const std::string huge_exp = jwt::sign(claims(kNow, INT64_MAX), kSecret);
  CHECK(jwt::verify(huge_exp, kSecret, kNow).ok());  // no overflow in the comparison
}

TEST_CASE("malformed tokens are refused, never crash", "[unit][jwt]") {
  const std::string token = jwt::sign(claims(), kSecret);
  const Parts p = split(token);
  const std::string cases[] = {
      "",
      "abc",
      "a.b",
      p.header + "." + p.payload,
      token + ".extra",
      p.header + "." + p.payload + ".",
      "!!!." + p.payload + "." + p.signature,                // header not base64url
      p.header + ".!!!." + p.signature,                      // payload not base64url
      p.header + "." + p.payload + ".!!!",                   // signature not base64url
      p.header + "." + p.payload + "." + p.signature + "A",  // signature of the wrong size
      encode_json("not json") + "." + p.payload + "." + p.signature,
      encode_json("[1]") + "." + p.payload + "." + p.signature,
      p.header + "=." + p.payload + "." + p.signature,  // padding
      std::string(jwt::kMaxTokenBytes + 1, 'a'),
  };
  for (const std::string& bad : cases) {
    INFO(bad.substr(0, 80));
    const jwt::Verification v = jwt::verify(bad, kSecret, kNow);
    CHECK_FALSE(v.ok());
    CHECK(v.failure != jwt::Failure::kNone);
  }
}

TEST_CASE("claims of the wrong type are malformed even when signed", "[unit][jwt]") {
  const char* payloads[] = {
      R"({"sub":42,"role":"user","iat":1800000000,"exp":1800000900,"jti":"j"})",
      R"({"sub":"0","role":"user","iat":1800000000,"exp":1800000900,"jti":"j"})",
      R"({"sub":"-4","role":"user","iat":1800000000,"exp":1800000900,"jti":"j"})",
      R"({"sub":"042","role":"user","iat":1800000000,"exp":1800000900,"jti":"j"})",
      R"({"sub":"42","iat":1800000000,"exp":1800000900,"jti":"j"})",
      R"({"sub":"42","role":"","iat":1800000000,"exp":1800000900,"jti":"j"})",
      R"({"sub":"42","role":"user","iat":"1800000000","exp":1800000900,"jti":"j"})",
      R"({"sub":"42","role":"user","iat":1800000000,"exp":1800000900.5,"jti":"j"})",
      R"({"sub":"42","role":"user","iat":1800000000,"exp":true,"jti":"j"})",
      R"({"sub":"42","role":"user","iat":1800000000,"exp":1800000900})",
      R"({"sub":"42","role":"user","iat":1800000000,"exp":1800000900,"jti":"j","nbf":"x"})",
      R"({"sub":"42","role":"user","iat":1800000000,"exp":1800000900,"jti":"j","ver":"1"})",
      R"({"sub":"42","role":"user","iat":1800000000,"exp":1800000900,"jti":"j","ver":-1})",
      R"(["sub"])",
  };
  for (const char* payload : payloads) {
    INFO(payload);
    CHECK(jwt::verify(sign_raw(R"({"alg":"HS256","typ":"JWT"})", payload), kSecret, kNow).failure ==
          jwt::Failure::kMalformed);
  }
  // The same route with good claims verifies: the helper signs correctly.
  CHECK(jwt::verify(sign_raw(R"({"alg":"HS256"})",
                             R"({"sub":"42","role":"user","iat":1800000000,"exp":1800000900,)"
                             R"("jti":"j"})"),
                    kSecret, kNow)
            .ok());
  // nbf in the future is not yet valid.
  CHECK(jwt::verify(sign_raw(R"({"alg":"HS256"})",
                             R"({"sub":"42","role":"user","iat":1800000000,"exp":1800000900,)"
                             R"("jti":"j","nbf":1800000500})"),
                    kSecret, kNow)
            .failure == jwt::Failure::kNotYetValid);
}

TEST_CASE("an empty secret verifies nothing and signs nothing", "[unit][jwt]") {
  const std::string token = jwt::sign(claims(), kSecret);
  CHECK(jwt::verify(token, "", kNow).failure == jwt::Failure::kMissingKey);
  CHECK_THROWS_AS(jwt::sign(claims(), ""), std::invalid_argument);
}
