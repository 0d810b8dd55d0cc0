// What the accounts integration tests share.
#pragma once

#include "common/config.h"

namespace test_support {

// test_config() (db.h) with a fixed JWT secret and bcrypt cost 4, so that
// services can issue and verify tokens and hashing stays fast.
common::Config accounts_config();

}  // namespace test_support
