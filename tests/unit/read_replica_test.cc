// WAL positions as the cache stores them, and when /health calls a replica
// lagging (common/wal_position.h, common/read_replica.h).
#include "common/read_replica.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/wal_position.h"

TEST_CASE("WAL positions parse from pg_lsn text and order as 16 hex digits", "[unit][replica]") {
  using common::wal::from_key;
  using common::wal::parse_lsn;
  using common::wal::to_key;
  CHECK(parse_lsn("0/0") == std::optional<uint64_t>(0));
  CHECK(parse_lsn("16/B374D848") == std::optional<uint64_t>(0x16B374D848ULL));
  CHECK(parse_lsn("FFFFFFFF/FFFFFFFF") == std::optional<uint64_t>(~0ULL));
  for (const char* bad : {"", "/", "0/", "/0", "1/2/3", "x/1", "123456789/0", "0/-1", " 0/1"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(parse_lsn(bad).has_value());
  }
  CHECK(to_key(0x16B374D848ULL) == "00000016b374d848");
  CHECK(from_key("00000016b374d848") == std::optional<uint64_t>(0x16B374D848ULL));
  CHECK_FALSE(from_key("16b374d848").has_value());
  CHECK_FALSE(from_key("00000016b374d84g").has_value());
  // String order is position order (what the Lua script compares).
  CHECK(to_key(0xFFFFFFFFULL) < to_key(0x1'00000000ULL));
  CHECK(to_key(0x9ULL) < to_key(0x10ULL));
}

TEST_CASE("a replica is lagging when paused, behind the cache, or a second behind",
          "[unit][replica]") {
  using common::ReplicaState;
  common::ReplayStatus s;
  s.replayed = 100;
  s.received = 100;
  CHECK(common::classify(s, std::nullopt) == ReplicaState::kOk);
  CHECK(common::classify(s, 100) == ReplicaState::kOk);
  CHECK(common::classify(s, 101) == ReplicaState::kLagging);
  s.paused = true;
  CHECK(common::classify(s, std::nullopt) == ReplicaState::kLagging);
  s.paused = false;
  s.received = 200;
  s.lag_s = 0.2;
  CHECK(common::classify(s, 50) == ReplicaState::kOk);
  s.lag_s = 1.5;
  CHECK(common::classify(s, 50) == ReplicaState::kLagging);
  CHECK(std::string(common::replica_state_name(ReplicaState::kNone)) == "none");
  CHECK(std::string(common::replica_state_name(ReplicaState::kUnreachable)) == "unreachable");
}
