// The one parser of query-string values: integers in a range, booleans and
// min/max pairs, each problem recorded under the parameter's name.
#include "common/query_params.h"

#include <catch2/catch.hpp>
#include <limits>
#include <string>

#include "tests/support/validation.h"

using common::FieldErrors;
using common::IntRange;
using common::QueryParams;

namespace {

// The integer `name` of `query` in `range`, and the problem recorded, if any.
std::pair<std::optional<int64_t>, Json::Value> read_int(const std::string& query, IntRange range) {
  FieldErrors errors;
  const auto value = common::query_int(QueryParams::parse(query), "n", range, errors);
  const Json::Value details = test_support::validation_details([&] { errors.throw_if_any(); });
  return {value, details};
}

}  // namespace

TEST_CASE("query integers: the whole value, in range, else a problem named after it",
          "[unit][query]") {
  struct Case {
    const char* query;
    std::optional<int64_t> value;
    bool problem;
  };
  const Case cases[] = {
      {"", std::nullopt, false},
      {"n=5", 5, false},
      {"n=1", 1, false},
      {"n=100", 100, false},
      {"n=0", std::nullopt, true},
      {"n=101", std::nullopt, true},
      {"n=", std::nullopt, true},
      {"n=5x", std::nullopt, true},
      {"n=1.5", std::nullopt, true},
      {"n=+5", std::nullopt, true},
      {"n=%205", std::nullopt, true},
      {"n=99999999999999999999", std::nullopt, true},
      {"m=5", std::nullopt, false},
  };
  for (const Case& c : cases) {
    INFO(c.query);
    const auto [value, details] = read_int(c.query, {1, 100});
    CHECK(value == c.value);
    CHECK(details.isMember("n") == c.problem);
    if (c.problem) CHECK(details["n"] == "must be an integer between 1 and 100");
  }
}

TEST_CASE("query integers unbounded above say so, and a caller may word the problem",
          "[unit][query]") {
  CHECK(read_int("n=-1", {.min = 0}).second["n"] == "must be an integer >= 0");
  CHECK(read_int("n=9223372036854775807", {.min = 0}).first == std::numeric_limits<int64_t>::max());
  FieldErrors errors;
  CHECK_FALSE(common::query_int(QueryParams::parse("n=0"), "n", {.min = 1}, errors,
                                "must be a positive integer"));
  const Json::Value details = test_support::validation_details([&] { errors.throw_if_any(); });
  CHECK(details["n"] == "must be a positive integer");
}

TEST_CASE("query booleans are true/false/1/0 only", "[unit][query]") {
  CHECK(common::parse_query_bool("true") == true);
  CHECK(common::parse_query_bool("1") == true);
  CHECK(common::parse_query_bool("false") == false);
  CHECK(common::parse_query_bool("0") == false);
  for (const char* bad : {"", "yes", "no", "True", "2", "t"}) {
    INFO(bad);
    CHECK_FALSE(common::parse_query_bool(bad).has_value());
    FieldErrors errors;
    CHECK_FALSE(common::query_bool(QueryParams::parse(std::string("b=") + bad), "b", errors));
    CHECK_FALSE(errors.empty());
  }
  FieldErrors errors;
  CHECK_FALSE(common::query_bool(QueryParams::parse(""), "b", errors));
  CHECK(errors.empty());
}

TEST_CASE("a min/max pair must not be reversed", "[unit][query]") {
  FieldErrors ok;
  common::check_ordered("lo", 5, "hi", 5, ok);
  common::check_ordered("lo", std::nullopt, "hi", 1, ok);
  common::check_ordered("lo", 9, "hi", std::nullopt, ok);
  CHECK(ok.empty());
  FieldErrors reversed;
  common::check_ordered("lo", 6, "hi", 5, reversed);
  const Json::Value details = test_support::validation_details([&] { reversed.throw_if_any(); });
  CHECK(details["hi"] == "must be greater than or equal to lo");
}
