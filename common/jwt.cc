#include "common/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <optional>
#include <stdexcept>

#include "common/base64url.h"
#include "common/json.h"

namespace common::jwt {

namespace {

constexpr size_t kSignatureBytes = 32;  // SHA-256

std::optional<std::string> hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest,
           &length) == nullptr ||
      length != kSignatureBytes) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// A base64url part holding a JSON object, or null.
Json::Value decode_object(std::string_view part) {
  const auto bytes = base64url_decode(part);
  if (!bytes) return Json::Value();
  try {
    return json::parse_object(*bytes);
  } catch (const std::exception&) {
    return Json::Value();
  }
}

bool is_integer(const Json::Value& v) {
  return (v.type() == Json::intValue || v.type() == Json::uintValue) && v.isInt64();
}

std::optional<int64_t> positive_decimal(const std::string& s) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || s[0] == '0' || ec != std::errc() || end != s.data() + s.size() || value <= 0) {
    return std::nullopt;
  }
  return value;
}

// The claims, or nullopt when one is missing or of the wrong type.
std::optional<Claims> read_claims(const Json::Value& payload) {
  const Json::Value& sub = payload["sub"];
  const Json::Value& role = payload["role"];
  const Json::Value& jti = payload["jti"];
  if (!sub.isString() || !role.isString() || !jti.isString() || !is_integer(payload["iat"]) ||
      !is_integer(payload["exp"])) {
    return std::nullopt;
  }
  const auto user_id = positive_decimal(sub.asString());
  if (!user_id || role.asString().empty() || jti.asString().empty()) return std::nullopt;
  if (payload.isMember("nbf") && !is_integer(payload["nbf"])) return std::nullopt;
  if (payload.isMember("ver") && (!is_integer(payload["ver"]) || payload["ver"].asInt64() < 0)) {
    return std::nullopt;
  }
  return Claims{*user_id,
                role.asString(),
                payload["iat"].asInt64(),
                payload["exp"].asInt64(),
                jti.asString(),
                payload.isMember("ver") ? payload["ver"].asInt64() : 0};
}

}  // namespace

std::string sign(const Claims& claims, std::string_view secret) {
  if (secret.empty()) throw std::invalid_argument("jwt::sign needs a secret");
  Json::Value header(Json::objectValue);
  header["alg"] = "HS256";
  header["typ"] = "JWT";
  Json::Value payload(Json::objectValue);
  payload["sub"] = std::to_string(claims.sub);
  payload["role"] = claims.role;
  payload["iat"] = static_cast<Json::Int64>(claims.iat);
  payload["exp"] = static_cast<Json::Int64>(claims.exp);
  payload["jti"] = claims.jti;
  payload["ver"] = static_cast<Json::Int64>(claims.ver);
  const std::string signing_input =
      base64url_encode(json::write(header)) + "." + base64url_encode(json::write(payload));
  const auto signature = hmac_sha256(secret, signing_input);
  if (!signature) throw std::runtime_error("HMAC-SHA256 failed");
  return signing_input + "." + base64url_encode(*signature);
}

Verification verify(std::string_view token, std::string_view secret, int64_t now, int64_t leeway) {
  Verification result;
  if (secret.empty()) {
    result.failure = Failure::kMissingKey;
    return result;
  }
  if (token.empty() || token.size() > kMaxTokenBytes) return result;
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return result;
  }
  const std::string_view header_part = token.substr(0, dot1);
  const std::string_view payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_part = token.substr(dot2 + 1);

  const Json::Value header = decode_object(header_part);
  if (!header.isObject()) return result;
  if (header["alg"] != "HS256" || header.isMember("crit")) {
    result.failure = Failure::kUnsupportedAlgorithm;
    return result;
  }

  const auto signature = base64url_decode(signature_part);
  if (!signature || signature->size() != kSignatureBytes) return result;
  const auto expected = hmac_sha256(secret, token.substr(0, dot2));
  if (!expected || CRYPTO_memcmp(expected->data(), signature->data(), kSignatureBytes) != 0) {
    result.failure = Failure::kBadSignature;
    return result;
  }

  const Json::Value payload = decode_object(payload_part);
  if (!payload.isObject()) return result;
  const auto claims = read_claims(payload);
  if (!claims) return result;
  if (claims->exp <= now - leeway) {  // now >= exp + leeway, without overflow
    result.failure = Failure::kExpired;
    return result;
  }
  if (claims->iat > now + leeway ||
      (payload.isMember("nbf") && payload["nbf"].asInt64() > now + leeway)) {
    result.failure = Failure::kNotYetValid;
    return result;
  }
  result.failure = Failure::kNone;
  result.claims = *claims;
  return result;
}

const char* describe(Failure failure) {
  switch (failure) {
    case Failure::kNone:
      return "valid";
    case Failure::kMissingKey:
      return "no signing key configured";
    case Failure::kMalformed:
      return "malformed token";
    case Failure::kUnsupportedAlgorithm:
      return "unsupported algorithm";
    case Failure::kBadSignature:
      return "bad signature";
    case Failure::kExpired:
      return "expired";
    case Failure::kNotYetValid:
      return "not yet valid";
  }
  return "invalid";
}

}  // namespace common::jwt
