// A user's address book: named SQL only, rows out as plain structs.
//
// An address that an order refers to is part of that order's record, so
// removing it from the address book detaches it (user_id becomes NULL: it is
// no longer the user's and cannot be used again) instead of deleting it;
// addresses no order refers to are deleted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.h"

namespace repo {

struct NewAddress {
  std::string line1;
  std::optional<std::string> line2;
  std::string city;
  std::optional<std::string> region;
  std::string country;  // ISO 3166-1 alpha-2, upper case (checked by the schema too)
  std::string postal_code;
};

struct Address {
  int64_t id;
  NewAddress fields;
  std::string created_at;  // RFC 3339
};

Address insert_address(common::pg::Connection& db, int64_t user_id, const NewAddress& address);

// The user's addresses by id.
std::vector<Address> list_addresses(common::pg::Connection& db, int64_t user_id);

// Inside a transaction: removes the user's address (see above); false when the
// user has no address with this id.
[[nodiscard]] bool remove_address(common::pg::Connection& db, int64_t user_id, int64_t address_id);

// Inside a transaction: which of `ids` are the user's addresses, locked
// FOR SHARE until the transaction ends (so a concurrent removal waits for it).
std::vector<int64_t> lock_owned_addresses(common::pg::Connection& db, int64_t user_id,
                                          const std::vector<int64_t>& ids);

}  // namespace repo
