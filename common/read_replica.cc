#include "common/read_replica.h"

#include "common/log.h"
#include "common/wal_position.h"

namespace common {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kFirstPause{1000};
constexpr std::chrono::milliseconds kMaxPause{10000};

const pg::Statement kReplayStatus{
    "replica.replay_status", pg::Role::kReplica, pg::Effect::kRead,
    "SELECT pg_last_wal_replay_lsn()::text, pg_last_wal_receive_lsn()::text, "
    "pg_is_wal_replay_paused(), "
    "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END::text"};

const pg::Statement kCurrentPosition{"replica.primary_position", pg::Role::kService,
                                     pg::Effect::kRead, "SELECT pg_current_wal_lsn()::text"};

pg::ConnectionOptions replica_options(pg::ConnectionOptions o) {
  o.roles = pg::Roles{pg::Role::kService, pg::Role::kReplica};
  o.report_connection = false;
  o.application_name = "ecommerce-server (replica reads)";
  return o;
}

}  // namespace

const char* replica_state_name(ReplicaState state) {
  switch (state) {
    case ReplicaState::kNone:
      return "none";
    case ReplicaState::kOk:
      return "ok";
    case ReplicaState::kLagging:
      return "lagging";
    case ReplicaState::kUnreachable:
      return "unreachable";
  }
  return "unreachable";
}

ReplicaState classify(const ReplayStatus& status, std::optional<uint64_t> target) {
  if (status.paused || status.lag_s >= kLaggingAfterS) return ReplicaState::kLagging;
  if (target && status.replayed < *target) return ReplicaState::kLagging;
  return ReplicaState::kOk;
}

ReadReplica::ReadReplica(pg::ConnectionOptions options)
    : conn_(replica_options(std::move(options))) {}

void ReadReplica::failed() {
  backoff_ = backoff_.count() == 0 ? kFirstPause : std::min(2 * backoff_, kMaxPause);
  skip_until_ = Clock::now() + backoff_;
  replayed_.reset();
  lag_s_.reset();
  conn_.reset();
}

std::optional<ReplayStatus> ReadReplica::ask() {
  if (Clock::now() < skip_until_) return std::nullopt;
  try {
    const pg::Result r = conn_.exec(kReplayStatus, {});
    const auto replayed = wal::parse_lsn(r.text(0, 0));
    const auto received = wal::parse_lsn(r.text(0, 1));
    if (!replayed) {
      // NULL: not a replica (or never replayed anything): never trusted.
      log::warn("DATABASE_READ_URL does not answer as a streaming replica; reading the primary");
      failed();
      return std::nullopt;
    }
    ReplayStatus s;
    s.replayed = *replayed;
    s.received = received.value_or(*replayed);
    s.paused = r.boolean(0, 2);
    s.lag_s = std::stod(r.str(0, 3));
    backoff_ = std::chrono::milliseconds(0);
    replayed_ = s.replayed;
    replayed_at_ = Clock::now();
    lag_s_ = s.lag_s;
    return s;
  } catch (const std::exception& e) {
    log::warn("read replica unreachable; reading the primary", {{"reason", e.what()}});
    failed();
    return std::nullopt;
  }
}

pg::Connection* ReadReplica::if_replayed(uint64_t target) {
  if (Clock::now() < skip_until_) return nullptr;
  const bool fresh = replayed_ && Clock::now() - replayed_at_ < kReplayCacheMs;
  if (fresh && *replayed_ >= target) return &conn_;
  const auto status = ask();
  if (!status || status->replayed < target) return nullptr;
  return &conn_;
}

ReplicaState ReadReplica::state(std::optional<uint64_t> target) {
  skip_until_ = {};  // a probe asks even while reads leave the replica alone
  const auto status = ask();
  if (!status) return ReplicaState::kUnreachable;
  return classify(*status, target);
}

std::optional<uint64_t> primary_wal_position(pg::Connection& primary) {
  try {
    const pg::Result r = primary.exec(kCurrentPosition, {});
    return wal::parse_lsn(r.text(0, 0));
  } catch (const std::exception& e) {
    log::warn("cannot read the primary's WAL position; replicas wait for the next write",
              {{"reason", e.what()}});
    return std::nullopt;
  }
}

}  // namespace common
