#include "workers/jobs/runner.h"

#include <poll.h>
#include <unistd.h>

#include "common/log.h"
#include "workers/jobs/job_kinds.h"
#include "workers/jobs/retry_policy.h"
#include "workers/repositories/job_repository.h"

namespace jobs {

namespace pg = common::pg;

namespace {

constexpr size_t kMaxErrorBytes = 2000;
constexpr int64_t kCleanupIntervalS = 3600;

// The length of the UTF-8 sequence that starts with `c`, or 0 when `c` cannot
// start one.
size_t sequence_length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0 && c >= 0xC2) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0 && c <= 0xF4) return 4;
  return 0;
}

}  // namespace

const char* run_result_name(RunResult result) {
  switch (result) {
    case RunResult::kDone:
      return "done";
    case RunResult::kRetry:
      return "retry";
    case RunResult::kDead:
      return "dead";
  }
  return "done";
}

std::string bounded_error(std::string_view message) {
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    const auto c = static_cast<unsigned char>(message[i]);
    size_t n = sequence_length(c);
    bool valid = n > 0 && i + n <= message.size();
    for (size_t k = 1; valid && k < n; ++k) {
      valid = (static_cast<unsigned char>(message[i + k]) & 0xC0) == 0x80;
    }
    if (!valid) n = 1;
    if (out.size() + n > kMaxErrorBytes) break;
    if (valid && c != 0) {
      out.append(message.substr(i, n));
    } else {
      out += '?';
    }
    i += n;
  }
  return out.empty() ? std::string("(no message)") : out;
}

Runner::Runner(pg::Connection& db, const common::Config& config, Registry registry,
               RunnerOptions options)
    : db_(db),
      config_(config),
      registry_(std::move(registry)),
      options_(std::move(options)),
      rng_(options_.seed != 0
               ? options_.seed
               : static_cast<uint64_t>(::getpid()) ^
                     static_cast<uint64_t>(
                         std::chrono::steady_clock::now().time_since_epoch().count())) {}

RunResult Runner::fail(const repo::ClaimedJob& job, const std::string& error, bool permanent) {
  const std::string last_error = bounded_error(error);
  if (after_failure(job.attempts, job.max_attempts, permanent) == AfterFailure::kDead) {
    if (!repo::bury_job(db_, job.id, options_.owner, last_error)) return RunResult::kDone;
    common::log::warn("job dead", {{"job_id", static_cast<Json::Int64>(job.id)},
                                   {"kind", job.kind},
                                   {"attempts", job.attempts},
                                   {"last_error", last_error}});
    return RunResult::kDead;
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto delay =
      retry_delay(job.attempts, std::chrono::milliseconds(config_.job_backoff_base_ms),
                  std::chrono::seconds(config_.job_backoff_cap_s), unit(rng_));
  if (!repo::requeue_job(db_, job.id, options_.owner, delay.count(), last_error)) {
    return RunResult::kDone;
  }
  common::log::info("job failed; retrying",
                    {{"job_id", static_cast<Json::Int64>(job.id)},
                     {"kind", job.kind},
                     {"attempts", job.attempts},
                     {"retry_in_ms", static_cast<Json::Int64>(delay.count())},
                     {"last_error", last_error}});
  return RunResult::kRetry;
}

RunResult Runner::run_claimed(const repo::ClaimedJob& job) {
  RunResult result = RunResult::kDone;
  const auto handler = registry_.find(job.kind);
  if (job.lease_taken_over && job.attempts > job.max_attempts) {
    result = fail(job, "lease expired during the last attempt (the runner died?)", true);
  } else if (handler == registry_.end()) {
    result = fail(job, "no handler for kind '" + job.kind + "' in this runner", true);
  } else {
    if (job.lease_taken_over) {
      common::log::warn("job lease expired; running it again",
                        {{"job_id", static_cast<Json::Int64>(job.id)}, {"kind", job.kind}});
    }
    JobContext ctx{db_,
                   config_,
                   options_.cache,
                   job.id,
                   job.attempts,
                   options_.report_stock_drift ? options_.report_stock_drift
                                               : std::function<void(int64_t)>([](int64_t) {})};
    std::optional<Json::Value> output;
    std::string error;
    bool permanent = false;
    try {
      output = handler->second(ctx, job.payload);
    } catch (const JobFailed& e) {
      error = e.what();
      permanent = true;
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "the handler threw something that is not a std::exception";
    }
    if (db_.in_transaction()) db_.reset();  // a handler that left one open: start afresh
    if (output) {
      if (!repo::complete_job(db_, job.id, options_.owner, *output)) {
        common::log::warn("job finished after its lease was taken over",
                          {{"job_id", static_cast<Json::Int64>(job.id)}, {"kind", job.kind}});
      }
    } else {
      result = fail(job, error, permanent);
    }
  }
  return result;
}

std::optional<RunResult> Runner::run_one() {
  std::optional<repo::ClaimedJob> claimed =
      repo::claim_job(db_, options_.owner, config_.job_lease_s);
  if (!claimed) return std::nullopt;
  const repo::ClaimedJob& job = *claimed;
  if (options_.on_start) options_.on_start(job);
  const auto started = std::chrono::steady_clock::now();
  RunResult result = RunResult::kDone;

  try {
    result = run_claimed(job);
  } catch (...) {
    // The queue's own statement failed (the database went away): the job stays
    // running until its lease expires, then runs again.
    if (options_.on_finish) {
      options_.on_finish(job, RunResult::kRetry,
                         std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - started));
    }
    throw;
  }
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  if (options_.on_finish) options_.on_finish(job, result, took);
  return result;
}

int Runner::run_due(const std::function<bool()>& stop) {
  int ran = 0;
  while (!stop() && run_one()) ++ran;
  return ran;
}

void Runner::listen_if_needed() {
  db_.ensure_connected();
  const int backend = PQbackendPID(db_.raw());
  if (backend == listening_backend_) return;
  db_.command("LISTEN jobs", pg::Effect::kRead);
  listening_backend_ = PQbackendPID(db_.raw());
}

void Runner::wait_for_work(const sigset_t* wait_mask) {
  const auto interval = std::chrono::milliseconds(config_.job_poll_interval_ms);
  const timespec timeout{static_cast<time_t>(interval.count() / 1000),
                         static_cast<long>(interval.count() % 1000) * 1000000L};
  try {
    listen_if_needed();
  } catch (const pg::DbError& e) {
    if (e.kind() != pg::DbErrorKind::kConnection) throw;
    ::ppoll(nullptr, 0, &timeout, wait_mask);  // no database: try again after the interval
    return;
  }
  PGconn* conn = db_.raw();
  bool woken = false;
  PQconsumeInput(conn);
  while (PGnotify* n = PQnotifies(conn)) {
    PQfreemem(n);
    woken = true;
  }
  if (woken) return;  // a job came while we were busy
  pollfd p{PQsocket(conn), POLLIN, 0};
  if (::ppoll(&p, 1, &timeout, wait_mask) > 0) {
    PQconsumeInput(conn);
    while (PGnotify* n = PQnotifies(conn)) PQfreemem(n);
  }
}

void Runner::enqueue_for_period(const char* queue, const char* kind, int64_t interval_s,
                                int64_t& last_period) {
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const int64_t period = now_s / interval_s;
  if (period == last_period) return;
  repo::NewJob job;
  job.queue = queue;
  job.kind = kind;
  job.payload["period"] = static_cast<Json::Int64>(period);
  job.max_attempts = config_.job_max_attempts;
  job.dedupe_key = std::string(kind) + ":" + std::to_string(period);
  static_cast<void>(repo::enqueue_job(db_, job));  // nullopt: another runner did
  last_period = period;
}

void Runner::enqueue_periodic() {
  enqueue_for_period(kQueueInventory, kStockReconcile, config_.reconcile_interval_s,
                     reconcile_period_);
  enqueue_for_period(kQueueOrders, kMaintenanceCleanup, kCleanupIntervalS, cleanup_period_);
}

}  // namespace jobs
