#include "common/error.h"

namespace common {

namespace {
struct ErrorInfo {
  const char* name;
  int status;
};

ErrorInfo info(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidJson:
      return {"INVALID_JSON", 400};
    case ErrorCode::kValidationError:
      return {"VALIDATION_ERROR", 400};
    case ErrorCode::kUnauthorized:
      return {"UNAUTHORIZED", 401};
    case ErrorCode::kInvalidCredentials:
      return {"INVALID_CREDENTIALS", 401};
    case ErrorCode::kForbidden:
      return {"FORBIDDEN", 403};
    case ErrorCode::kNotFound:
      return {"NOT_FOUND", 404};
    case ErrorCode::kMethodNotAllowed:
      return {"METHOD_NOT_ALLOWED", 405};
    case ErrorCode::kInsufficientStock:
      return {"INSUFFICIENT_STOCK", 409};
    case ErrorCode::kCartEmpty:
      return {"CART_EMPTY", 409};
    case ErrorCode::kInvalidState:
      return {"INVALID_STATE", 409};
    case ErrorCode::kConflict:
      return {"CONFLICT", 409};
    case ErrorCode::kEmailTaken:
      return {"EMAIL_TAKEN", 409};
    case ErrorCode::kIdempotencyKeyReused:
      return {"IDEMPOTENCY_KEY_REUSED", 409};
    case ErrorCode::kPayloadTooLarge:
      return {"PAYLOAD_TOO_LARGE", 413};
    case ErrorCode::kRateLimited:
      return {"RATE_LIMITED", 429};
    case ErrorCode::kInternal:
      return {"INTERNAL_ERROR", 500};
    case ErrorCode::kUnavailable:
      return {"UNAVAILABLE", 503};
    case ErrorCode::kTimeout:
      return {"TIMEOUT", 504};
  }
  return {"INTERNAL_ERROR", 500};
}
}  // namespace

const char* error_code_name(ErrorCode code) { return info(code).name; }

int http_status(ErrorCode code) { return info(code).status; }

void FieldErrors::add(const std::string& field, const std::string& problem) {
  if (details_.isMember(field)) return;  // the first problem of a field is the one reported
  if (first_message_.empty()) first_message_ = field + " " + problem;
  details_[field] = problem;
}

void FieldErrors::throw_if_any() const {
  if (details_.empty()) return;
  throw AppError(ErrorCode::kValidationError, first_message_, details_);
}

Json::Value error_envelope(const AppError& error, const std::string& request_id) {
  Json::Value body(Json::objectValue);
  body["success"] = false;
  Json::Value& err = body["error"];
  err["code"] = error_code_name(error.code());
  err["message"] = error.what();
  if (!error.details().isNull()) err["details"] = error.details();
  body["request_id"] = request_id;
  return body;
}

}  // namespace common
