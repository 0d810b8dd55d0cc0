#include "tests/support/accounts.h"

#include "tests/support/db.h"

namespace test_support {

common::Config accounts_config() {
  common::Config c = test_config();
  c.jwt_secret = "integration-secret-integration-secret";
  c.bcrypt_cost = 4;
  return c;
}

}  // namespace test_support
