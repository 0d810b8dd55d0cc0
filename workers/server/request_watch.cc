#include "workers/server/request_watch.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "common/log.h"
#include "workers/server/db_admin.h"

namespace server {

namespace sb = scoreboard;

namespace {

// After a timeout's query cancel, how long the child has to answer and exit
// before SIGKILL. nginx's fastcgi_read_timeout (REQUEST_TIMEOUT_S + 1) falls
// inside it, so a child that does not answer still gets its client a 504.
constexpr auto kTimeoutKillGrace = std::chrono::seconds(2);

int64_t ms_between(int64_t from_ns, int64_t to_ns) { return (to_ns - from_ns) / 1000000; }

}  // namespace

RequestWatch::RequestWatch(Supervisor& supervisor, const common::Config& config,
                           std::function<void()> close_in_child)
    : supervisor_(supervisor), config_(config), close_in_child_(std::move(close_in_child)) {}

void RequestWatch::tick() {
  sb::Scoreboard& board = supervisor_.board();
  const int64_t now_ns = sb::monotonic_ns();
  const int64_t slow_ms = config_.request_slow_ms;
  const int64_t timeout_ms = static_cast<int64_t>(config_.request_timeout_s) * 1000;
  for (auto& [pid, c] : supervisor_.children()) {
    if (c.role != &kWorkerRole) continue;  // a job may run as long as its lease allows
    const int64_t start = board.slot(c.slot).request_start_ns.load(std::memory_order_relaxed);
    if (start == 0) continue;
    const int64_t elapsed = ms_between(start, now_ns);
    const bool slow = slow_ms > 0 && elapsed >= slow_ms && c.slow_logged_start_ns != start;
    const bool timeout = timeout_ms > 0 && elapsed >= timeout_ms && !c.timed_out;
    if (!slow && !timeout) continue;
    const sb::SlotView v = read_slot(board, c.slot);
    if (v.request_start_ns != start) continue;  // it finished meanwhile
    const int64_t statement_ms =
        v.statement_start_ns > 0 ? ms_between(v.statement_start_ns, now_ns) : -1;
    sb::Header& h = board.header();
    if (slow) {
      c.slow_logged_start_ns = start;
      sb::bump(h.slow_requests);
      common::log::warn("slow request", {{"worker_pid", pid},
                                         {"method", v.method},
                                         {"uri", v.uri},
                                         {"elapsed_ms", static_cast<Json::Int64>(elapsed)},
                                         {"statement", v.statement},
                                         {"sql", v.sql},
                                         {"statement_ms", static_cast<Json::Int64>(statement_ms)}});
    }
    if (timeout) {
      c.timed_out = true;
      sb::bump(h.timeouts);
      common::log::warn("request timed out; cancelling its query and replacing the worker",
                        {{"worker_pid", pid},
                         {"method", v.method},
                         {"uri", v.uri},
                         {"elapsed_ms", static_cast<Json::Int64>(elapsed)},
                         {"statement", v.statement},
                         {"backend_pid", v.db_backend_pid}});
      // SIGTERM first: the child exits as soon as it has answered (the
      // cancelled query gives its client 504 TIMEOUT), and is replaced now.
      supervisor_.retire(c, LeaveReason::kTimeout, SIGTERM, kTimeoutKillGrace);
      if (v.db_backend_pid > 0 && v.statement_start_ns > 0) start_canceller(v.db_backend_pid, pid);
    }
  }
}

void RequestWatch::start_canceller(int backend_pid, pid_t child_pid) {
  const pid_t pid = ::fork();
  if (pid < 0) {
    common::log::error("cannot fork the query canceller", {{"reason", std::strerror(errno)}});
    return;
  }
  if (pid > 0) {
    cancellers_.insert(pid);
    return;
  }
  close_in_child_();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::alarm(static_cast<unsigned>(config_.db_connect_timeout_s + 5));  // never outlive a hung server
  std::string error;
  const bool ok = cancel_backend(config_, backend_pid, error);
  if (ok) {
    common::log::info("query cancelled", {{"worker_pid", child_pid}, {"backend_pid", backend_pid}});
  } else {
    common::log::warn("query cancel failed",
                      {{"worker_pid", child_pid}, {"backend_pid", backend_pid}, {"reason", error}});
  }
  ::_exit(ok ? 0 : 1);
}

}  // namespace server
