#include "tests/support/responses.h"

#include "common/json.h"

namespace test_support {

Json::Value body_json(const common::Response& response) {
  return common::json::parse_trusted(response.body);
}

std::string header_value(const common::Response& response, const std::string& name) {
  for (const auto& [n, v] : response.headers) {
    if (n == name) return v;
  }
  return "";
}

}  // namespace test_support
