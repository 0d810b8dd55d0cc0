// Reading a dispatched Response in the unit tests.
#pragma once

#include <json/value.h>

#include <string>

#include "common/http.h"

namespace test_support {

// The body parsed as JSON (throws AppError(kInternal) when it is not).
Json::Value body_json(const common::Response& response);
// The value of the first header called `name` (exact case), or "".
std::string header_value(const common::Response& response, const std::string& name);

}  // namespace test_support
