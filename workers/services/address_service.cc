#include "workers/services/address_service.h"

#include <algorithm>
#include <array>
#include <string>

#include "common/error.h"
#include "common/json.h"
#include "workers/services/busy_retry.h"

namespace services {

using common::AppError;
using common::ErrorCode;

namespace {

// The officially assigned ISO 3166-1 alpha-2 codes (249), sorted.
constexpr std::array<std::string_view, 249> kCountries{
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW"};

std::string trimmed(std::string s) {
  const auto not_space = [](unsigned char c) { return c != ' ' && c != '\t'; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

// A required text field, trimmed, 1..max characters.
std::string required_text(const Json::Value& body, const char* field, size_t max,
                          common::FieldErrors& errors) {
  auto value = common::json::get_string(body, field, 1, max, errors);
  if (!value) {
    errors.add(field, "is required");
    return {};
  }
  std::string text = trimmed(std::move(*value));
  if (text.empty()) errors.add(field, "must not be blank");
  return text;
}

// An optional text field, trimmed; blank means none.
std::optional<std::string> optional_text(const Json::Value& body, const char* field, size_t max,
                                         common::FieldErrors& errors) {
  auto value = common::json::get_string(body, field, 0, max, errors);
  if (!value) return std::nullopt;
  std::string text = trimmed(std::move(*value));
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace

bool is_iso_country(std::string_view code) {
  return std::binary_search(kCountries.begin(), kCountries.end(), code);
}

repo::NewAddress parse_new_address(const Json::Value& body) {
  common::FieldErrors errors;
  repo::NewAddress a;
  a.line1 = required_text(body, "line1", kMaxAddressLine, errors);
  a.line2 = optional_text(body, "line2", kMaxAddressLine, errors);
  a.city = required_text(body, "city", kMaxAddressLine, errors);
  a.region = optional_text(body, "region", kMaxAddressLine, errors);
  a.postal_code = required_text(body, "postal_code", kMaxPostalCode, errors);
  if (auto country = common::json::get_string(body, "country", 2, 2, errors)) {
    std::string code = *country;
    for (char& c : code) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (is_iso_country(code)) {
      a.country = code;
    } else {
      errors.add("country", "must be an ISO 3166-1 alpha-2 country code, e.g. \"DE\"");
    }
  } else {
    errors.add("country", "is required");
  }
  errors.throw_if_any();
  return a;
}

Json::Value address_json(const repo::Address& address) {
  const repo::NewAddress& a = address.fields;
  Json::Value out(Json::objectValue);
  out["id"] = static_cast<Json::Int64>(address.id);
  out["line1"] = a.line1;
  out["line2"] = common::json::or_null(a.line2);
  out["city"] = a.city;
  out["region"] = common::json::or_null(a.region);
  out["country"] = a.country;
  out["postal_code"] = a.postal_code;
  out["created_at"] = address.created_at;
  return out;
}

Json::Value create_address(common::pg::Connection& db, int64_t user_id,
                           const repo::NewAddress& address) {
  return address_json(repo::insert_address(db, user_id, address));
}

Json::Value list_addresses(common::pg::Connection& db, int64_t user_id) {
  Json::Value out(Json::objectValue);
  Json::Value& items = out["items"] = Json::Value(Json::arrayValue);
  for (const repo::Address& a : repo::list_addresses(db, user_id)) items.append(address_json(a));
  return out;
}

void delete_address(common::pg::Connection& db, int64_t user_id, int64_t address_id) {
  busy_retry_transaction(db, [&](common::pg::Connection& tx) {
    if (!repo::remove_address(tx, user_id, address_id)) {
      throw AppError(ErrorCode::kNotFound, "address not found");
    }
  });
}

}  // namespace services
