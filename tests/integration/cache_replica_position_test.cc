// The WAL position the cache keeps for read replicas (common/cache.h, "Read
// replicas"), against a real redis-server: it only moves forward, travels
// with the invalidation, and is forgotten whenever it could be too low.
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "common/cache.h"
#include "common/wal_position.h"
#include "tests/support/redis_server.h"

namespace {

using common::cache::Cache;
using common::cache::Entry;
using common::cache::Outcome;
using common::cache::SharedState;
using namespace std::chrono_literals;

constexpr const char* kVersion = "cache:ver:catalog";

common::cache::Options options_for(const test_support::RedisServer& redis) {
  common::cache::Options o;
  o.url = redis.url();
  o.timeout = 100ms;
  o.backoff = 50ms;
  o.max_backoff = 50ms;
  return o;
}

// A writer whose "primary" is at `position` (nullopt: cannot tell).
void set_position(Cache& writer, std::optional<uint64_t>& position) {
  writer.set_commit_position([&position] { return position; });
}

}  // namespace

TEST_CASE("the replica position is unknown until a write records one",
          "[cache][replica][integration]") {
  test_support::RedisServer redis;
  SharedState shared;
  Cache reader(options_for(redis), shared);
  CHECK_FALSE(reader.replay_target().has_value());
}

TEST_CASE("invalidations record the largest primary position and never move it back",
          "[cache][replica][integration]") {
  test_support::RedisServer redis;
  SharedState shared;
  Cache writer(options_for(redis), shared);
  Cache reader(options_for(redis), shared);
  std::optional<uint64_t> position = 0x3000000ULL;
  set_position(writer, position);

  writer.invalidate({kVersion});
  CHECK(reader.replay_target() == std::optional<uint64_t>(0x3000000ULL));
  CHECK(redis.cli("GET cache:wal") == common::wal::to_key(0x3000000ULL));

  // A slower writer that read an older position reports after a newer one.
  position = 0x2000000ULL;
  writer.invalidate({kVersion});
  CHECK(reader.replay_target() == std::optional<uint64_t>(0x3000000ULL));

  // Above 2^32: compared as positions, not as text of another width.
  position = 0x1'00000010ULL;
  writer.invalidate({kVersion});
  CHECK(reader.replay_target() == std::optional<uint64_t>(0x1'00000010ULL));
}

TEST_CASE("a write that cannot tell its position makes the position unknown",
          "[cache][replica][integration]") {
  test_support::RedisServer redis;
  SharedState shared;
  Cache writer(options_for(redis), shared);
  Cache reader(options_for(redis), shared);
  std::optional<uint64_t> position = 0x5000ULL;
  set_position(writer, position);
  writer.invalidate({kVersion});
  REQUIRE(reader.replay_target().has_value());

  SECTION("the primary could not be asked") {
    position = std::nullopt;
    writer.invalidate({kVersion});
    CHECK_FALSE(reader.replay_target().has_value());
  }
  SECTION("a process without a replica configured wrote") {
    Cache plain(options_for(redis), shared);
    plain.invalidate({kVersion});
    CHECK_FALSE(reader.replay_target().has_value());
  }
  SECTION("invalidate_all") {
    position = std::nullopt;
    writer.invalidate_all();
    CHECK_FALSE(reader.replay_target().has_value());
  }
}

TEST_CASE(
    "a lost invalidation makes the position unknown until the epoch is bumped and a write records "
    "again",
    "[cache][replica][integration]") {
  test_support::RedisServer redis;
  SharedState shared;
  Cache writer(options_for(redis), shared);
  Cache reader(options_for(redis), shared);
  std::optional<uint64_t> position = 0x7000ULL;
  set_position(writer, position);
  writer.invalidate({kVersion});
  REQUIRE(reader.replay_target().has_value());

  // Redis goes away while a write commits: its invalidation and position are lost.
  redis.kill();
  position = 0x8000ULL;
  writer.invalidate({kVersion});
  redis.start();
  std::this_thread::sleep_for(80ms);
  // The host owes an epoch bump: until it is paid, nobody here trusts a position.
  CHECK_FALSE(reader.replay_target().has_value());
  // A read pays it (read_through bumps the epoch first, once its connection
  // is back), which also forgets the position: the lost write's is in no one's hands.
  Outcome outcome = Outcome::kBypass;
  for (int attempt = 0; attempt < 40 && outcome == Outcome::kBypass; ++attempt) {
    std::this_thread::sleep_for(60ms);
    (void)reader.read_through(
        kVersion, "categories",
        [] {
          return Entry{"\"e\"", "{}"};
        },
        outcome);
  }
  REQUIRE(outcome != Outcome::kBypass);
  CHECK(shared.failures.load() == shared.settled.load());
  CHECK_FALSE(reader.replay_target().has_value());
  // The next recorded write makes it known again.
  position = 0x9000ULL;
  writer.invalidate({kVersion});
  CHECK(reader.replay_target() == std::optional<uint64_t>(0x9000ULL));
}

TEST_CASE("without Redis there is no position", "[cache][replica][integration]") {
  SharedState shared;
  common::cache::Options o;
  o.url = "off";
  Cache off(o, shared);
  CHECK_FALSE(off.replay_target().has_value());
}
