// A worker's connection to a PostgreSQL streaming replica (DATABASE_READ_URL)
// and the rule for using it: a catalogue read goes to the replica only when
// the replica has replayed the WAL position the cache's versions reflect
// (common/cache.h, Cache::replay_target), so an answer from it is exactly as
// current as one from the primary for the versions read. Anything else goes to
// the primary: no position known, the replica behind it, unreachable, or
// failing the query. The replica never makes an answer wrong or an error.
//
// The replica's replay position only grows, so the last one read stays a
// valid lower bound: it is reused for up to kReplayCacheMs before asking again
// (the ask is one tiny query). After a failure the replica is left alone for
// a growing pause (1 s doubling to 10 s) instead of costing every read a
// connection attempt.
//
// Writes, carts, orders and authentication never come here: only the three
// catalogue reads (workers/handlers/catalog_handlers.cc) do.
//
// One per worker process, created after fork(); one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.h"

namespace common {

// /health's "replica".
enum class ReplicaState { kNone, kOk, kLagging, kUnreachable };
const char* replica_state_name(ReplicaState state);  // "none" | "ok" | "lagging" | "unreachable"

// What the replica said about itself in one round trip.
struct ReplayStatus {
  uint64_t replayed = 0;  // pg_last_wal_replay_lsn()
  uint64_t received = 0;  // pg_last_wal_receive_lsn()
  bool paused = false;    // pg_is_wal_replay_paused()
  double lag_s = 0;       // since the last replayed commit, 0 when all received is replayed
};

// Behind what it received by this much (seconds since the last replayed commit): lagging.
inline constexpr double kLaggingAfterS = 1.0;

// lagging: replay paused, behind `target` (the cache's WAL position, when
// known), or kLaggingAfterS behind what it received; ok otherwise.
ReplicaState classify(const ReplayStatus& status, std::optional<uint64_t> target);

class ReadReplica {
 public:
  static constexpr std::chrono::milliseconds kReplayCacheMs{5};

  // Connects lazily, with the statements of pg::Role::kService and kReplica;
  // `options.report_connection` is forced off (the scoreboard names the primary).
  explicit ReadReplica(pg::ConnectionOptions options);

  // The replica when it has replayed `target`; nullptr to use the primary.
  pg::Connection* if_replayed(uint64_t target);
  // A query on the replica failed: leave it alone for a while.
  void failed();

  // For /health: asks the replica now (no cached answer).
  ReplicaState state(std::optional<uint64_t> target);
  // The lag the last successful ask measured, or nullopt (none yet, or it failed since).
  std::optional<double> lag_seconds() const { return lag_s_; }

 private:
  std::optional<ReplayStatus> ask();

  pg::Connection conn_;
  std::optional<uint64_t> replayed_;
  std::chrono::steady_clock::time_point replayed_at_{};
  std::optional<double> lag_s_;
  std::chrono::steady_clock::time_point skip_until_{};
  std::chrono::milliseconds backoff_{0};
};

// The statement a writer runs on the primary after a commit: its current WAL
// position (pg_current_wal_lsn), for Cache::set_commit_position. nullopt when
// it cannot be read. Never throws.
std::optional<uint64_t> primary_wal_position(pg::Connection& primary);

}  // namespace common
