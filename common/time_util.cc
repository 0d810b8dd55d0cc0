#include "common/time_util.h"

#include <sys/time.h>

#include <cstdio>
#include <ctime>

namespace common {

std::string now_rfc3339() {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  tm utc{};
  gmtime_r(&tv.tv_sec, &utc);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+00:00", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long>(tv.tv_usec));
  return buf;
}

std::string pg_timestamp_to_rfc3339(std::string_view pg) {
  // "YYYY-MM-DD HH:MM:SS[.f{1,6}]+00"
  if (pg.size() < 22 || pg[10] != ' ' || !pg.ends_with("+00")) return std::string(pg);
  std::string out(pg.substr(0, 19));
  out[10] = 'T';
  std::string_view rest = pg.substr(19, pg.size() - 19 - 3);
  std::string fraction = "000000";
  if (!rest.empty()) {
    if (rest.front() != '.' || rest.size() > 7) return std::string(pg);
    rest.remove_prefix(1);
    for (size_t i = 0; i < rest.size(); ++i) fraction[i] = rest[i];
  }
  out += "." + fraction + "+00:00";
  return out;
}

}  // namespace common
