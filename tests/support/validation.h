// Checking what a request parser rejects, for the unit tests.
#pragma once

#include <json/value.h>

#include <functional>

namespace test_support {

// The details of the VALIDATION_ERROR that fn throws (each bad field named),
// after CHECKing that what it threw is one. Null when fn throws nothing, so
// that an assertion on the details fails.
Json::Value validation_details(const std::function<void()>& fn);

}  // namespace test_support
