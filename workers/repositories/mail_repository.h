// What the order mail reads besides the order itself (repo::find_order): the
// address it goes to. Named SQL only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.h"

namespace repo {

// The email of the account that placed order `order_id`, or nullopt when
// there is no such order.
[[nodiscard]] std::optional<std::string> order_account_email(common::pg::Connection& db,
                                                             int64_t order_id);

}  // namespace repo
