#include "workers/server/worker.h"

#include <fcgiapp.h>
#include <poll.h>
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
#include "workers/server/dispatch.h"
#include "workers/server/fcgi_accept.h"
#include "workers/server/fcgi_request.h"
#include "workers/server/proc_stats.h"
#include "workers/server/routes.h"
#include "workers/server/test_routes.h"

namespace server {

namespace {

using scoreboard::SlotWriter;

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_reopen_log = 0;

// The pg hooks are plain functions; they reach the slot through this.
SlotWriter* g_slot = nullptr;

void on_stop_signal(int) { g_stop = 1; }
void on_reopen_signal(int) { g_reopen_log = 1; }

// The worker's own signals stay blocked except inside ppoll() between
// requests, so a signal never interrupts accept, libfcgi's reads and writes or
// libpq mid-request (an EINTR there would cost the request). Returns the mask
// to wait with.
sigset_t install_worker_signals() {
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sa.sa_handler = on_stop_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGQUIT, &sa, nullptr);
  sa.sa_handler = on_reopen_signal;
  sigaction(SIGUSR1, &sa, nullptr);
  for (int sig : {SIGPIPE, SIGHUP, SIGUSR2, SIGTTIN, SIGTTOU}) signal(sig, SIG_IGN);
  signal(SIGINT, SIG_DFL);  // fast stop: end at once, even mid-request
  sigset_t blocked;
  sigemptyset(&blocked);
  for (int sig : {SIGTERM, SIGQUIT, SIGUSR1}) sigaddset(&blocked, sig);
  sigprocmask(SIG_SETMASK, &blocked, nullptr);  // replaces the master's mask
  sigset_t wait_mask;
  sigemptyset(&wait_mask);
  return wait_mask;
}

void on_db_connection(int backend_pid) {
  g_slot->set_db(backend_pid > 0 ? scoreboard::DbState::kConnected : scoreboard::DbState::kDown,
                 backend_pid);
}
void on_statement_begin(const char* name, const char* sql) { g_slot->begin_statement(name, sql); }
void on_statement_end(std::chrono::microseconds elapsed) { g_slot->end_statement(elapsed.count()); }

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

common::cache::Options cache_options(const common::Config& config) {
  common::cache::Options o;
  o.url = config.redis_url;
  o.timeout = std::chrono::milliseconds(config.redis_timeout_ms);
  o.ttl = std::chrono::seconds(config.cache_ttl_s);
  return o;
}

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

void serve_one(FCGX_Request& fcgi, const common::Config& config, const common::Router& router,
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
  const double ms = static_cast<double>(micros) / 1000.0;
  if (ctx.principal) {
    common::log::info("request", {{"method", req.method},
                                  {"route", result.route},
                                  {"path", req.path},
                                  {"status", result.response.status},
                                  {"duration_ms", ms},
                                  {"user_id", static_cast<Json::Int64>(ctx.principal->user_id)}});
  } else {
    common::log::info("request", {{"method", req.method},
                                  {"route", result.route},
                                  {"path", req.path},
                                  {"status", result.response.status},
                                  {"duration_ms", ms}});
  }
  common::log::clear_request_id();
}

void reopen_log(const common::Config& config) {
  if (config.log_file.empty()) return;
  std::string error;
  if (!common::log::redirect_to_file(config.log_file, error)) {
    common::log::error("cannot reopen LOG_FILE", {{"reason", error}});
  }
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
  const sigset_t wait_mask = install_worker_signals();
  // Die with the master, so that no orphan keeps accepting on the socket.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != setup.master_pid) return 0;

  SlotWriter slot(setup.slot);
  g_slot = &slot;
  common::pg::set_hooks({on_db_connection, on_statement_begin, on_statement_end});

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
  common::cache::Cache cache(cache_options(config), setup.cache_shared);
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

  const char* reason = "asked to stop";
  while (!g_stop) {
    if (g_reopen_log) {
      g_reopen_log = 0;
      reopen_log(config);
    }
    if (getppid() != setup.master_pid) {
      reason = "master gone";
      break;
    }
    pollfd p{setup.listen_fd, POLLIN, 0};
    const timespec second{1, 0};
    const int ready = ::ppoll(&p, 1, &second, &wait_mask);
    if (ready <= 0) {  // timeout or a signal: look at the flags again
      recycle.maybe_sample_rss();
      continue;
    }
    // kNone: another worker took the connection (EAGAIN on the non-blocking socket).
    const AcceptResult accepted = accept_request(fcgi, setup.listen_fd, allowlist);
    if (accepted == AcceptResult::kRejected) slot.count_rejected_connection();
    if (accepted != AcceptResult::kRequest) continue;
    serve_one(fcgi, config, router, db, cache, replica ? &*replica : nullptr, slot);
    FCGX_Finish_r(&fcgi);
    recycle.after_request();
  }
  slot.set_state(scoreboard::WorkerState::kDraining);
  FCGX_Free(&fcgi, 1);
  common::log::info("worker stopping",
                    {{"reason", reason}, {"requests", static_cast<Json::UInt64>(slot.requests())}});
  return 0;
}

}  // namespace server
