// Signing in for the end-to-end tests: JSON requests with a bearer token, a
// fresh user per call, and the stack's admin (E2E_ADMIN_EMAIL /
// E2E_ADMIN_PASSWORD, which scripts/test.sh seeds as the admin account).
#pragma once

#include <cstdint>
#include <string>

#include "tests/support/http_client.h"

namespace test_support {

// The header line "Authorization: Bearer <token>".
std::string bearer(const std::string& access_token);

// `method path` with a JSON body (Content-Type: application/json) and, unless
// `access_token` is empty, Authorization: Bearer.
HttpResponse send_json(const std::string& method, const std::string& path, const std::string& body,
                       const std::string& access_token = "");

struct Session {
  int64_t user_id = 0;
  std::string email;
  std::string password;
  std::string access_token;
  std::string refresh_token;
};

// POST /api/v1/auth/login.
HttpResponse login(const std::string& email, const std::string& password);

// Registers a user with a unique email and logs in; REQUIREs both to succeed.
Session new_user_session();

// Logs in as the stack's admin; REQUIREs success (and E2E_ADMIN_* to be set).
Session admin_session();

}  // namespace test_support
