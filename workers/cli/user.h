// Accounts from the command line: `ecommerce-server user create` (declared
// in commands.h) and the admin account that `seed` makes.
#pragma once

#include "common/config.h"
#include "common/pg.h"

namespace cli {

// Makes sure the account ADMIN_EMAIL exists with the admin role. A new
// account gets ADMIN_PASSWORD; when that is unset, the password kept in
// $STATE_DIR/admin-password, or else one generated now, stored there (mode
// 0600) and printed once. An existing admin is left as it is; an existing
// non-admin account is not promoted (that is `user create --role admin`'s
// job) and only a warning is printed. Returns false after printing why on
// stderr.
bool seed_admin_account(const common::Config& config, common::pg::Connection& db);

}  // namespace cli
