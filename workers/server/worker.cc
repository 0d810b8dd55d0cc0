#include "workers/server/worker.h"

#include <fcgiapp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>

#include "common/log.h"
#include "common/pg.h"
#include "workers/server/dispatch.h"
#include "workers/server/fcgi_request.h"
#include "workers/server/routes.h"

namespace server {

namespace {

volatile sig_atomic_t g_stop = 0;

void on_stop_signal(int) { g_stop = 1; }

void install_worker_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  // SA_RESTART keeps libpq and libfcgi reads going mid-request; poll() between
  // requests still returns EINTR, which is where the flag is looked at.
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGQUIT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // the master blocks signals; workers must not
}

common::pg::ConnectionOptions db_options(const common::Config& config) {
  common::pg::ConnectionOptions o;
  o.conninfo = config.database_url;
  o.connect_timeout_s = config.db_connect_timeout_s;
  o.statement_timeout_ms = config.db_statement_timeout_ms;
  return o;
}

void serve_one(FCGX_Request& fcgi, const common::Config& config, const common::Router& router,
               common::pg::Connection& db) {
  const auto started = std::chrono::steady_clock::now();
  common::Request req;
  const BodyStatus body = read_request(fcgi, config.max_body_bytes, req);
  common::log::set_request_id(req.request_id);

  common::RouteContext ctx{db, config, {}, std::nullopt};
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

  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  common::log::info("request", {{"method", req.method},
                                {"route", result.route},
                                {"status", result.response.status},
                                {"duration_ms", static_cast<int64_t>(ms * 1000) / 1000.0}});
  common::log::clear_request_id();
}

}  // namespace

int run_worker(const common::Config& config, int listen_fd, pid_t master_pid) {
  install_worker_signals();
  // Die with the master, so that no orphan keeps accepting on the socket.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != master_pid) return 0;

  // Opened here, after fork(), and kept for the life of the process.
  common::pg::Connection db(db_options(config));
  try {
    db.ensure_connected();
  } catch (const common::pg::DbError& e) {
    common::log::warn("database not reachable at worker start", {{"detail", e.what()}});
  }
  const common::Router router = make_router();

  if (FCGX_Init() != 0) {
    common::log::error("FCGX_Init failed");
    return 1;
  }
  FCGX_Request fcgi;
  FCGX_InitRequest(&fcgi, listen_fd, 0);
  common::log::info("worker started");

  while (!g_stop) {
    pollfd p{listen_fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 1000);
    if (ready <= 0) continue;  // timeout or EINTR: look at the flags again
    const int rc = FCGX_Accept_r(&fcgi);
    if (rc < 0) {
      // Another worker took the connection (EAGAIN on the non-blocking socket),
      // or a signal interrupted accept.
      if (-rc == EAGAIN || -rc == EWOULDBLOCK || -rc == EINTR) continue;
      common::log::error("accept failed", {{"errno", -rc}});
      continue;
    }
    serve_one(fcgi, config, router, db);
    FCGX_Finish_r(&fcgi);
  }
  FCGX_Free(&fcgi, 1);
  common::log::info("worker stopping");
  return 0;
}

}  // namespace server
