// One error vocabulary for the whole service (the codes of API.md), mapped to
// HTTP in exactly one place (http_status / to_envelope in error.cc).
//
// Anything below a handler raises AppError; the FastCGI loop catches it and
// renders the error envelope. What is logged (SQL, SQLSTATE) travels in
// `log_detail` and never reaches the client.
#pragma once

#include <json/value.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace common {

enum class ErrorCode {
  kInvalidJson,           // 400
  kValidationError,       // 400, details name each bad field
  kUnauthorized,          // 401, WWW-Authenticate: Bearer
  kInvalidCredentials,    // 401
  kForbidden,             // 403
  kNotFound,              // 404
  kMethodNotAllowed,      // 405, Allow
  kInsufficientStock,     // 409
  kCartEmpty,             // 409
  kInvalidState,          // 409
  kConflict,              // 409
  kEmailTaken,            // 409
  kIdempotencyKeyReused,  // 409
  kPayloadTooLarge,       // 413
  kRateLimited,           // 429, Retry-After
  kInternal,              // 500
  kUnavailable,           // 503
  kTimeout,               // 504
};

// The API.md name of a code, e.g. "VALIDATION_ERROR".
const char* error_code_name(ErrorCode code);
// The HTTP status a code is answered with.
int http_status(ErrorCode code);

class AppError : public std::runtime_error {
 public:
  AppError(ErrorCode code, std::string message, Json::Value details = Json::Value(),
           std::string log_detail = {})
      : std::runtime_error(message),
        code_(code),
        details_(std::move(details)),
        log_detail_(std::move(log_detail)) {}

  ErrorCode code() const { return code_; }
  const Json::Value& details() const { return details_; }
  // For the log only: SQLSTATE, statement name, server message.
  const std::string& log_detail() const { return log_detail_; }
  // Extra response headers (Allow, WWW-Authenticate, Retry-After).
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  AppError& with_header(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }

 private:
  ErrorCode code_;
  Json::Value details_;
  std::string log_detail_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

// Collects per-field validation failures and throws one VALIDATION_ERROR
// naming all of them.
class FieldErrors {
 public:
  void add(const std::string& field, const std::string& problem);
  bool empty() const { return details_.empty(); }
  // Throws AppError(kValidationError) when any field failed; returns otherwise.
  void throw_if_any() const;

 private:
  Json::Value details_{Json::objectValue};
  std::string first_message_;
};

// {"success": false, "error": {code, message, details?}, "request_id": ...}
Json::Value error_envelope(const AppError& error, const std::string& request_id);

}  // namespace common
