// Timestamps as API.md wants them: RFC 3339 in UTC with microseconds and an
// explicit offset, "2026-11-25T10:15:30.123456+00:00".
#pragma once

#include <string>
#include <string_view>

namespace common {

std::string now_rfc3339();

// Converts PostgreSQL's timestamptz text output under TimeZone=UTC
// ("2026-11-25 10:15:30.12+00", fraction optional) to the API form.
// Input it does not recognise is returned unchanged.
std::string pg_timestamp_to_rfc3339(std::string_view pg);

}  // namespace common
