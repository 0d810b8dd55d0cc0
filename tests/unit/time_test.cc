#include <catch2/catch.hpp>

#include "common/time_util.h"

TEST_CASE("PostgreSQL timestamps become RFC 3339 with microseconds", "[unit][time]") {
  CHECK(common::pg_timestamp_to_rfc3339("2026-11-25 10:15:30.123456+00") ==
        "2026-11-25T10:15:30.123456+00:00");
  CHECK(common::pg_timestamp_to_rfc3339("2026-11-25 10:15:30.12+00") ==
        "2026-11-25T10:15:30.120000+00:00");
  CHECK(common::pg_timestamp_to_rfc3339("2026-11-25 10:15:30+00") ==
        "2026-11-25T10:15:30.000000+00:00");
  CHECK(common::pg_timestamp_to_rfc3339("garbage") == "garbage");
}

TEST_CASE("now_rfc3339 has the API shape", "[unit][time]") {
  const std::string now = common::now_rfc3339();
  REQUIRE(now.size() == 32);
  CHECK(now[10] == 'T');
  CHECK(now[19] == '.');
  CHECK(now.substr(26) == "+00:00");
}
