// Address book use cases (API.md "Addresses"): validation, the JSON shape, and
// the calls. Another user's address behaves as if it did not exist. No HTTP.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <string_view>

#include "common/pg.h"
#include "workers/repositories/address_repository.h"

namespace services {

// Field limits, in characters.
inline constexpr size_t kMaxAddressLine = 200;  // line1, line2, city, region
inline constexpr size_t kMaxPostalCode = 20;

// True for an assigned ISO 3166-1 alpha-2 code in upper case ("DE", "US").
bool is_iso_country(std::string_view code);

// {line1, line2?, city, region?, country, postal_code}: line1 and city 1..200
// characters, line2 and region 0..200 (null, absent or "" mean none),
// postal_code 1..20, country an ISO 3166-1 alpha-2 code (lower case is
// accepted and stored upper case). Leading and trailing spaces are trimmed.
// Throws AppError(kValidationError) naming every bad field.
repo::NewAddress parse_new_address(const Json::Value& body);

// {id, line1, line2, city, region, country, postal_code, created_at}.
Json::Value address_json(const repo::Address& address);

// The created address.
Json::Value create_address(common::pg::Connection& db, int64_t user_id,
                           const repo::NewAddress& address);

// {"items": [address, ...]} by id.
Json::Value list_addresses(common::pg::Connection& db, int64_t user_id);

// Removes the address from the caller's book (orders that used it keep it).
// Throws AppError(kNotFound) when the caller has no address with this id.
void delete_address(common::pg::Connection& db, int64_t user_id, int64_t address_id);

}  // namespace services
