// The delay that start-up crashes put on spawning (workers/server/crash_backoff.h).
#include "workers/server/crash_backoff.h"

#include <catch2/catch.hpp>

using server::CrashBackoff;
using std::chrono::seconds;

TEST_CASE("start-up crashes double the delay up to its maximum", "[unit][backoff]") {
  CrashBackoff b;
  const auto t0 = CrashBackoff::Clock::time_point{} + seconds(1000);
  CHECK_FALSE(b.holding(t0));
  CHECK(b.on_crash(t0) == seconds(1));
  CHECK(b.holding(t0));
  CHECK_FALSE(b.holding(t0 + seconds(1)));
  CHECK(b.on_crash(t0) == seconds(2));
  CHECK(b.on_crash(t0) == seconds(4));
  for (int i = 0; i < 10; ++i) b.on_crash(t0);
  CHECK(b.delay() == CrashBackoff::kMaxDelay);
  CHECK(b.next_spawn() == t0 + CrashBackoff::kMaxDelay);
}

TEST_CASE("an old crash no longer counts and the delay starts again", "[unit][backoff]") {
  CrashBackoff b;
  const auto t0 = CrashBackoff::Clock::time_point{} + seconds(1000);
  b.on_crash(t0);
  b.on_crash(t0);                          // 2 s
  CHECK_FALSE(b.expire(t0 + seconds(6)));  // delay + 2 start-up windows = 6 s: not yet
  CHECK(b.expire(t0 + seconds(7)));
  CHECK(b.delay() == seconds(0));
  CHECK_FALSE(b.expire(t0 + seconds(8)));  // nothing left to clear
  CHECK(b.on_crash(t0 + seconds(9)) == seconds(1));
}

TEST_CASE("only an early death is a start-up crash", "[unit][backoff]") {
  CHECK(CrashBackoff::is_startup_crash(std::chrono::milliseconds(1999)));
  CHECK_FALSE(CrashBackoff::is_startup_crash(seconds(2)));
}

TEST_CASE("a pause holds spawning back without counting a crash", "[unit][backoff]") {
  CrashBackoff b;
  const auto t0 = CrashBackoff::Clock::time_point{} + seconds(1000);
  b.pause_until(t0 + seconds(1));
  CHECK(b.holding(t0));
  CHECK(b.delay() == seconds(0));
}
