#include "common/error.h"

#include <catch2/catch.hpp>

using common::AppError;
using common::ErrorCode;

TEST_CASE("every error code maps to the API.md name and status", "[unit][error]") {
  struct Row {
    ErrorCode code;
    const char* name;
    int status;
  };
  const Row table[] = {
      {ErrorCode::kInvalidJson, "INVALID_JSON", 400},
      {ErrorCode::kValidationError, "VALIDATION_ERROR", 400},
      {ErrorCode::kUnauthorized, "UNAUTHORIZED", 401},
      {ErrorCode::kInvalidCredentials, "INVALID_CREDENTIALS", 401},
      {ErrorCode::kForbidden, "FORBIDDEN", 403},
      {ErrorCode::kNotFound, "NOT_FOUND", 404},
      {ErrorCode::kMethodNotAllowed, "METHOD_NOT_ALLOWED", 405},
      {ErrorCode::kInsufficientStock, "INSUFFICIENT_STOCK", 409},
      {ErrorCode::kCartEmpty, "CART_EMPTY", 409},
      {ErrorCode::kInvalidState, "INVALID_STATE", 409},
      {ErrorCode::kConflict, "CONFLICT", 409},
      {ErrorCode::kEmailTaken, "EMAIL_TAKEN", 409},
      {ErrorCode::kIdempotencyKeyReused, "IDEMPOTENCY_KEY_REUSED", 409},
      {ErrorCode::kPayloadTooLarge, "PAYLOAD_TOO_LARGE", 413},
      {ErrorCode::kRateLimited, "RATE_LIMITED", 429},
      {ErrorCode::kInternal, "INTERNAL_ERROR", 500},
      {ErrorCode::kUnavailable, "UNAVAILABLE", 503},
      {ErrorCode::kTimeout, "TIMEOUT", 504},
  };
  for (const auto& row : table) {
    INFO(row.name);
    CHECK(std::string(common::error_code_name(row.code)) == row.name);
    CHECK(common::http_status(row.code) == row.status);
  }
}

TEST_CASE("the error envelope carries code, message, details and request id only",
          "[unit][error]") {
  Json::Value details(Json::objectValue);
  details["quantity"] = "must be between 1 and 99";
  const AppError err(ErrorCode::kValidationError, "quantity must be between 1 and 99", details,
                     "SQLSTATE 23514 secret detail");
  const Json::Value env = common::error_envelope(err, "rid-1");
  CHECK(env["success"] == false);
  CHECK(env["error"]["code"] == "VALIDATION_ERROR");
  CHECK(env["error"]["message"] == "quantity must be between 1 and 99");
  CHECK(env["error"]["details"] == details);
  CHECK(env["request_id"] == "rid-1");
  CHECK(env.toStyledString().find("SQLSTATE") == std::string::npos);
  CHECK_FALSE(common::error_envelope(AppError(ErrorCode::kNotFound, "x"), "r")["error"].isMember(
      "details"));
}

TEST_CASE("FieldErrors reports every field, first problem per field", "[unit][error]") {
  common::FieldErrors errors;
  CHECK_NOTHROW(errors.throw_if_any());
  errors.add("limit", "must be an integer between 1 and 100");
  errors.add("q", "must be 2 to 100 characters");
  errors.add("limit", "second problem is dropped");
  try {
    errors.throw_if_any();
    FAIL("expected a validation error");
  } catch (const AppError& e) {
    CHECK(e.code() == ErrorCode::kValidationError);
    CHECK(std::string(e.what()) == "limit must be an integer between 1 and 100");
    CHECK(e.details().size() == 2);
    CHECK(e.details()["limit"] == "must be an integer between 1 and 100");
  }
}
