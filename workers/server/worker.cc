#include "workers/server/worker.h"

#include <fcgiapp.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <random>

#include "common/log.h"
#include "common/pg.h"
#include "common/read_replica.h"
#include "workers/server/child_process.h"
#include "workers/server/dispatch.h"
#include "workers/server/fcgi_accept.h"
#include "workers/server/fcgi_request.h"
#include "workers/server/listen_wait.h"
#include "workers/server/proc_stats.h"
#include "workers/server/routes.h"
#include "workers/server/test_routes.h"

namespace server {

namespace {

using scoreboard::SlotWriter;

common::Router worker_router(const common::Config& config) {
  std::vector<common::Route> routes = make_router().routes();
  if (config.enable_test_routes) {
    for (common::Route& r : test_routes()) routes.push_back(std::move(r));
  }
  return common::Router(std::move(routes));
}

// MAX_REQUESTS (with this worker's jitter) and MAX_RSS_MB, checked between
// requests; RSS is read at most once a second.
class RecycleCheck {
 public:
  RecycleCheck(const common::Config& config, SlotWriter& slot) : slot_(slot) {
    if (config.max_requests > 0) {
      // Seeded here, after fork(), so that workers draw different jitters.
      std::mt19937_64 rng(static_cast<uint64_t>(getpid()) ^
                          static_cast<uint64_t>(scoreboard::monotonic_ns()));
      std::uniform_int_distribution<long> jitter(0, std::max(0L, config.max_requests_jitter));
      max_requests_ = static_cast<uint64_t>(config.max_requests + jitter(rng));
    }
    max_rss_ = static_cast<int64_t>(config.max_rss_mb) << 20;
    sample_rss();
  }

  void after_request() {
    if (max_requests_ > 0 && slot_.requests() >= max_requests_ &&
        slot_.recycle_requested() == scoreboard::RecycleReason::kNone) {
      common::log::info("worker reached MAX_REQUESTS; asking for a replacement",
                        {{"requests", static_cast<Json::UInt64>(slot_.requests())},
                         {"limit", static_cast<Json::UInt64>(max_requests_)}});
      slot_.request_recycle(scoreboard::RecycleReason::kMaxRequests);
    }
    maybe_sample_rss();
  }

  void maybe_sample_rss() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_sample_ < std::chrono::seconds(1)) return;
    sample_rss();
  }

 private:
  void sample_rss() {
    last_sample_ = std::chrono::steady_clock::now();
    const int64_t rss = resident_bytes();
    slot_.set_rss(rss);
    if (max_rss_ > 0 && rss > max_rss_ &&
        slot_.recycle_requested() == scoreboard::RecycleReason::kNone) {
      common::log::info("worker passed MAX_RSS_MB; asking for a replacement",
                        {{"rss_bytes", static_cast<Json::Int64>(rss)},
                         {"limit_bytes", static_cast<Json::Int64>(max_rss_)}});
      slot_.request_recycle(scoreboard::RecycleReason::kMaxRss);
    }
  }

  SlotWriter& slot_;
  uint64_t max_requests_ = 0;
  int64_t max_rss_ = 0;
  std::chrono::steady_clock::time_point last_sample_{};
};

scoreboard::CacheResult cache_result(common::cache::Outcome outcome) {
  switch (outcome) {
    case common::cache::Outcome::kHit:
      return scoreboard::CacheResult::kHit;
    case common::cache::Outcome::kStored:
      return scoreboard::CacheResult::kMiss;
    case common::cache::Outcome::kBypass:
      return scoreboard::CacheResult::kError;
  }
  return scoreboard::CacheResult::kError;
}

// Serves the accepted request; returns whether its whole input was read (not
// so when the body was too large).
bool serve_one(FCGX_Request& fcgi, const common::Config& config, const common::Router& router,
               common::pg::Connection& db, common::cache::Cache& cache,
               common::ReadReplica* replica, SlotWriter& slot) {
  const auto started = std::chrono::steady_clock::now();
  common::Request req;
  const BodyStatus body = read_request(fcgi, config.max_body_bytes, req);
  common::log::set_request_id(req.request_id);
  slot.begin_request(req.method, req.query.empty() ? req.path : req.path + "?" + req.query);

  common::RouteContext ctx{db, config, {}, std::nullopt, &cache, std::nullopt, replica};
  DispatchResult result;
  if (body == BodyStatus::kTooLarge) {
    result = {error_response(common::AppError(common::ErrorCode::kPayloadTooLarge,
                                              "request body is larger than " +
                                                  std::to_string(config.max_body_bytes) + " bytes"),
                             req.request_id),
              "unmatched"};
  } else {
    result = dispatch(router, req, ctx);
  }
  write_response(fcgi, req, result.response);
  if (ctx.cache_outcome) slot.count_cache(cache_result(*ctx.cache_outcome));
  if (replica) slot.set_replica_lag(replica->lag_seconds());

  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  slot.end_request(req.method, result.route, result.response.status, micros);
  common::log::request(
      {req.method, result.route, req.path, result.response.status, micros,
       ctx.principal ? std::optional<int64_t>(ctx.principal->user_id) : std::nullopt});
  common::log::clear_request_id();
  return body == BodyStatus::kOk;
}

// Ends the request and closes its connection. libfcgi closes with a lingering
// close (shutdown, then wait up to 2 s for nginx to close its end, then
// close): the worker sits idle for a round trip through nginx after every
// answer. That wait only matters when nginx may still be sending, i.e. when
// the worker did not read the whole input (a body too large); otherwise the
// connection is closed at once (libfcgi's `detached` flag skips the shutdown).
void finish(FCGX_Request& fcgi, bool input_consumed) {
  if (input_consumed) fcgi.detached = 1;
  FCGX_Finish_r(&fcgi);
}

// How long an idle worker waits for a connection before it looks at its
// flags again: a second, or less when held request lines fall due sooner.
std::chrono::milliseconds idle_wait() {
  std::chrono::milliseconds wait(1000);
  if (const auto due = common::log::flush_due_in()) wait = std::min(wait, *due);
  return wait;
}

}  // namespace

common::pg::ConnectionOptions worker_db_options(const common::Config& config) {
  common::pg::ConnectionOptions o;
  o.conninfo = config.database_url;
  o.connect_timeout_s = config.db_connect_timeout_s;
  o.statement_timeout_ms = config.db_statement_timeout_ms;
  o.roles = config.enable_test_routes
                ? common::pg::Roles{common::pg::Role::kService, common::pg::Role::kTestRoutes}
                : common::pg::Roles{common::pg::Role::kService};
  o.prepare_on_connect = true;
  return o;
}

int run_worker(const WorkerSetup& setup) {
  const common::Config& config = setup.config;
  const sigset_t wait_mask = install_child_signals();
  // Die with the master, so that no orphan keeps accepting on the socket.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != setup.master_pid) return 0;

  SlotWriter slot(setup.slot);
  publish_db_work(slot);

  // Opened here, after fork(), and kept for the life of the process.
  common::pg::Connection db(worker_db_options(config));
  try {
    db.ensure_connected();
  } catch (const common::pg::DbError& e) {
    common::log::warn("database not reachable at worker start", {{"detail", e.what()}});
  }
  const common::Router router = worker_router(config);
  // Also after fork(): the connection to Redis is this process's own. It
  // connects on first use; REDIS_URL was validated with the configuration.
  common::cache::Cache cache(child_cache_options(config), setup.cache_shared);
  // The read replica, when configured: a second connection, also after fork().
  // This host's catalogue writes then record the primary's WAL position with
  // their invalidations, which is what lets any host read the replica.
  std::optional<common::ReadReplica> replica;
  if (!config.database_read_url.empty()) {
    common::pg::ConnectionOptions replica_options = worker_db_options(config);
    replica_options.conninfo = config.database_read_url;
    replica.emplace(std::move(replica_options));
    cache.set_commit_position([&db] { return common::primary_wal_position(db); });
  }

  if (FCGX_Init() != 0) {
    common::log::error("FCGX_Init failed");
    return 1;
  }
  // No listening socket for libfcgi: the worker accepts (fcgi_accept.h).
  FCGX_Request fcgi;
  FCGX_InitRequest(&fcgi, -1, 0);
  const std::optional<common::AddressAllowlist> allowlist =
      listen_allowlist(config.listen, config.fcgi_allowed_addrs);
  RecycleCheck recycle(config, slot);
  slot.set_state(scoreboard::WorkerState::kIdle);
  common::log::info("worker started",
                    {{"generation", setup.slot.generation.load(std::memory_order_relaxed)}});

  common::log::set_request_buffer(static_cast<size_t>(config.request_log_buffer_bytes),
                                  std::chrono::milliseconds(config.request_log_flush_ms));

  ListenWait listen_wait(setup.listen_fd);
  if (!listen_wait.exclusive()) {
    common::log::warn("EPOLLEXCLUSIVE unavailable: every idle worker wakes for each connection");
  }

  const char* reason = "asked to stop";
  while (!g_child_signals.stop) {
    if (g_child_signals.reopen_log) {
      g_child_signals.reopen_log = 0;
      reopen_child_log(config);
    }
    if (listen_wait.wait(idle_wait(), wait_mask) == ListenWait::Result::kTimeout) {
      // A timeout or a signal: look at the flags again.
      common::log::flush_if_due();
      recycle.maybe_sample_rss();
      // PR_SET_PDEATHSIG stops the worker when the master dies; this catches
      // a master that died before it was set.
      if (getppid() != setup.master_pid) {
        reason = "master gone";
        break;
      }
      continue;
    }
    // kNone: another worker took the connection (EAGAIN on the non-blocking socket).
    const AcceptResult accepted = accept_request(fcgi, setup.listen_fd, allowlist);
    if (accepted == AcceptResult::kRejected) slot.count_rejected_connection();
    if (accepted != AcceptResult::kRequest) continue;
    finish(fcgi, serve_one(fcgi, config, router, db, cache, replica ? &*replica : nullptr, slot));
    common::log::flush_if_due();
    recycle.after_request();
  }
  // Graceful stop, reload, recycling and retirement all end here: the held
  // request lines are written before anything else.
  common::log::flush();
  slot.set_state(scoreboard::WorkerState::kDraining);
  FCGX_Free(&fcgi, 1);
  common::log::info("worker stopping",
                    {{"reason", reason}, {"requests", static_cast<Json::UInt64>(slot.requests())}});
  return 0;
}

}  // namespace server
