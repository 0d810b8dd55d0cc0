#include "tests/support/validation.h"

#include <catch2/catch.hpp>

#include "tests/support/parallel_calls.h"

namespace test_support {

Json::Value validation_details(const std::function<void()>& fn) {
  const Outcome outcome = outcome_of(fn);
  if (outcome.ok) return Json::Value();
  INFO(outcome.error);
  CHECK(outcome.code == common::ErrorCode::kValidationError);
  return outcome.details;
}

}  // namespace test_support
