// The master's workers: spawning, reaping, sizing, replacing, and watching
// the requests they run.
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>

#include "common/log.h"
#include "workers/server/master.h"
#include "workers/server/worker.h"

namespace server {

namespace {

namespace sb = scoreboard;

// A worker that dies this soon after its start counts as a start-up crash.
constexpr auto kStartupWindow = std::chrono::seconds(2);
constexpr auto kMaxBackoff = std::chrono::seconds(30);
// After a timeout's query cancel, how long the worker has to answer and exit
// before SIGKILL. nginx's fastcgi_read_timeout (REQUEST_TIMEOUT_S + 1) falls
// inside it, so a worker that does not answer still gets its client a 504.
constexpr auto kTimeoutKillGrace = std::chrono::seconds(2);

sb::WorkerState slot_state(const sb::Scoreboard& board, int slot) {
  return static_cast<sb::WorkerState>(board.slot(slot).state.load(std::memory_order_acquire));
}

int64_t ms_between(int64_t from_ns, int64_t to_ns) { return (to_ns - from_ns) / 1000000; }

}  // namespace

bool Master::in_backoff() const { return Clock::now() < next_spawn_; }

bool Master::counted(const Worker& w) const {
  if (w.leaving != LeaveReason::kNone) return false;
  return w.replacement == 0 || !workers_.contains(w.replacement);
}

bool Master::ready(pid_t pid) const {
  const auto it = workers_.find(pid);
  if (it == workers_.end()) return false;
  const sb::WorkerState s = slot_state(*board_, it->second.slot);
  return s == sb::WorkerState::kIdle || s == sb::WorkerState::kBusy;
}

void Master::close_inherited_fds_in_child() const {
  ::close(signal_fd_);
  for (const int fd : ops_->fds()) {
    if (fd >= 0) ::close(fd);
  }
}

pid_t Master::spawn(const char* why, pid_t replaces) {
  const int slot = board_->free_slot();
  if (slot < 0) {
    if (!slots_full_logged_) {
      common::log::error("scoreboard full: no slot for another worker",
                         {{"capacity", board_->capacity()}});
      slots_full_logged_ = true;
    }
    return 0;
  }
  slots_full_logged_ = false;
  board_->prepare_slot(slot, generation_);
  const pid_t pid = ::fork();
  if (pid == 0) {
    close_inherited_fds_in_child();
    const WorkerSetup setup{config_, sockets_.listen.fd.get(), master_pid_, board_->slot(slot)};
    ::_exit(run_worker(setup));
  }
  if (pid < 0) {
    board_->release_slot(slot);
    common::log::error("fork failed", {{"reason", std::strerror(errno)}});
    next_spawn_ = Clock::now() + std::chrono::seconds(1);
    return 0;
  }
  board_->slot(slot).pid.store(pid, std::memory_order_relaxed);
  Worker w;
  w.pid = pid;
  w.slot = slot;
  w.generation = generation_;
  w.started = Clock::now();
  workers_[pid] = w;
  sb::Header& h = board_->header();
  h.spawns.store(h.spawns.load() + 1, std::memory_order_relaxed);
  common::log::info("worker spawned", {{"worker_pid", pid},
                                       {"slot", slot},
                                       {"generation", generation_},
                                       {"reason", why},
                                       {"replaces", replaces}});
  return pid;
}

void Master::reap() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == successor_) {
      successor_ = 0;
      if (!stopping_) {
        common::log::error(
            "upgrade failed: the new master exited before taking over; still serving",
            {{"new_master_pid", pid},
             {"exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : -1},
             {"signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0}});
      }
      continue;
    }
    if (cancellers_.erase(pid) > 0) continue;  // the child logged its outcome itself
    const auto it = workers_.find(pid);
    if (it != workers_.end()) on_worker_exit(it, status);
  }
}

void Master::on_worker_exit(std::map<pid_t, Worker>::iterator it, int status) {
  const Worker w = it->second;
  workers_.erase(it);
  const sb::SlotView last = read_slot(*board_, w.slot);
  board_->release_slot(w.slot);
  sb::Header& h = board_->header();
  h.worker_exits.store(h.worker_exits.load() + 1, std::memory_order_relaxed);

  const auto lived = Clock::now() - w.started;
  const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  const bool asked = w.leaving != LeaveReason::kNone;
  const char* reason = asked   ? leave_reason_name(w.leaving)
                       : clean ? "exited on its own"
                               : "crashed";
  const auto lived_ms = std::chrono::duration_cast<std::chrono::milliseconds>(lived).count();
  const auto level = asked || clean ? common::log::Level::kInfo : common::log::Level::kWarn;
  if (WIFSIGNALED(status)) {
    common::log::write(level, "worker exited",
                       {{"worker_pid", w.pid},
                        {"reason", reason},
                        {"signal", WTERMSIG(status)},
                        {"signal_name", strsignal(WTERMSIG(status))},
                        {"requests", static_cast<Json::UInt64>(last.requests)},
                        {"lived_ms", static_cast<Json::Int64>(lived_ms)}});
  } else {
    common::log::write(level, "worker exited",
                       {{"worker_pid", w.pid},
                        {"reason", reason},
                        {"exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : -1},
                        {"requests", static_cast<Json::UInt64>(last.requests)},
                        {"lived_ms", static_cast<Json::Int64>(lived_ms)}});
  }
  if (stopping_ || asked) return;
  if (!clean && lived < kStartupWindow) {
    // Crashing at start-up again and again: back off (1 s, 2 s, ... 30 s).
    backoff_ = backoff_.count() == 0 ? std::chrono::seconds(1)
                                     : std::min<std::chrono::seconds>(backoff_ * 2, kMaxBackoff);
    next_spawn_ = Clock::now() + backoff_;
    last_crash_ = Clock::now();
    h.crash_loops.store(h.crash_loops.load() + 1, std::memory_order_relaxed);
    h.backoff_ms.store(backoff_.count() * 1000, std::memory_order_relaxed);
    h.backoff_until_ms.store(sb::wall_ms() + backoff_.count() * 1000, std::memory_order_relaxed);
    common::log::warn("worker crash loop, delaying respawn",
                      {{"delay_s", static_cast<int>(backoff_.count())}});
  }
}

void Master::retire(Worker& w, LeaveReason why, int sig, Clock::duration kill_after) {
  if (w.leaving == LeaveReason::kNone) w.leaving = why;
  ::kill(w.pid, sig);
  const Clock::time_point deadline = Clock::now() + kill_after;
  if (!w.kill_at || deadline < *w.kill_at) w.kill_at = deadline;
  if (why != LeaveReason::kStop && why != LeaveReason::kFastStop) {
    common::log::info("retiring worker",
                      {{"worker_pid", w.pid}, {"reason", leave_reason_name(why)}});
  }
}

// Idle workers first (the longest idle first), then starting ones, then busy
// ones, which finish their request before leaving.
void Master::retire_some(int n) {
  std::vector<std::pair<int64_t, Worker*>> candidates;
  for (auto& [pid, w] : workers_) {
    if (!counted(w)) continue;
    const sb::Slot& s = board_->slot(w.slot);
    const auto state = slot_state(*board_, w.slot);
    int64_t rank = 0;
    if (state == sb::WorkerState::kIdle) {
      rank = s.idle_since_ns.load(std::memory_order_relaxed);  // older idle first
    } else if (state == sb::WorkerState::kStarting) {
      rank = INT64_MAX / 2;
    } else {
      rank = INT64_MAX;
    }
    candidates.emplace_back(rank, &w);
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (int i = 0; i < n && i < static_cast<int>(candidates.size()); ++i) {
    retire(*candidates[i].second, LeaveReason::kRetired, SIGTERM,
           std::chrono::seconds(config_.graceful_timeout_s));
  }
}

void Master::plan_replacements() {
  for (auto& [pid, w] : workers_) {
    if (w.leaving != LeaveReason::kNone || w.replace != LeaveReason::kNone) continue;
    const auto recycle = static_cast<sb::RecycleReason>(
        board_->slot(w.slot).recycle.load(std::memory_order_relaxed));
    if (recycle == sb::RecycleReason::kMaxRequests) {
      w.replace = LeaveReason::kMaxRequests;
    } else if (recycle == sb::RecycleReason::kMaxRss) {
      w.replace = LeaveReason::kMaxRss;
    } else if (w.generation != generation_) {
      w.replace = LeaveReason::kReload;
    }
  }
  int in_flight = 0;
  for (auto& [pid, w] : workers_) {
    if (w.replacement == 0) continue;
    if (!workers_.contains(w.replacement)) {
      w.replacement = 0;  // it died or was retired: find another
    } else if (w.leaving == LeaveReason::kNone && ready(w.replacement)) {
      const bool recycled =
          w.replace == LeaveReason::kMaxRequests || w.replace == LeaveReason::kMaxRss;
      if (recycled) {
        sb::Header& h = board_->header();
        h.recycles.store(h.recycles.load() + 1, std::memory_order_relaxed);
      }
      retire(w, w.replace, SIGTERM, std::chrono::seconds(config_.graceful_timeout_s));
    } else if (!ready(w.replacement)) {
      ++in_flight;
    }
  }
  if (in_backoff()) return;
  for (auto& [pid, w] : workers_) {
    if (in_flight >= config_.reload_batch) return;
    if (w.leaving != LeaveReason::kNone || w.replace == LeaveReason::kNone || w.replacement != 0) {
      continue;
    }
    // spawn() inserts into workers_; std::map keeps `w` valid.
    const pid_t replacement = spawn(leave_reason_name(w.replace), w.pid);
    if (replacement == 0) return;
    w.replacement = replacement;
    ++in_flight;
  }
}

void Master::manage_pool() {
  // A crash long enough ago no longer holds spawning back.
  if (backoff_.count() > 0 && Clock::now() - last_crash_ > backoff_ + 2 * kStartupWindow) {
    backoff_ = std::chrono::seconds(0);
    board_->header().backoff_ms.store(0, std::memory_order_relaxed);
    board_->header().backoff_until_ms.store(0, std::memory_order_relaxed);
  }
  plan_replacements();

  SizingInput in;
  in.mode = dynamic() ? PoolMode::kDynamic : PoolMode::kStatic;
  in.target = target_;
  in.max_workers = config_.max_workers;
  in.min_spare = config_.min_spare;
  in.max_spare = config_.max_spare;
  in.idle_timeout = std::chrono::seconds(config_.idle_timeout_s);
  in.listen_queue = static_cast<int>(board_->header().listen_queue.load(std::memory_order_relaxed));
  const int64_t now_ns = sb::monotonic_ns();
  for (const auto& [pid, w] : workers_) {
    if (!counted(w)) continue;
    switch (slot_state(*board_, w.slot)) {
      case sb::WorkerState::kStarting:
      case sb::WorkerState::kEmpty:
        ++in.starting;
        break;
      case sb::WorkerState::kIdle:
        ++in.idle;
        in.idle_for.emplace_back(
            ms_between(board_->slot(w.slot).idle_since_ns.load(std::memory_order_relaxed), now_ns));
        break;
      default:
        ++in.busy;
    }
  }
  const SizingDecision d = decide_pool_size(in);
  if (!in_backoff()) {
    for (int i = 0; i < d.spawn; ++i) {
      if (!spawn(dynamic() ? "dynamic sizing" : "pool size")) break;
    }
  }
  if (d.retire > 0) retire_some(d.retire);
}

void Master::watch_requests() {
  const int64_t now_ns = sb::monotonic_ns();
  const int64_t slow_ms = config_.request_slow_ms;
  const int64_t timeout_ms = static_cast<int64_t>(config_.request_timeout_s) * 1000;
  for (auto& [pid, w] : workers_) {
    const int64_t start = board_->slot(w.slot).request_start_ns.load(std::memory_order_relaxed);
    if (start == 0) continue;
    const int64_t elapsed = ms_between(start, now_ns);
    const bool slow = slow_ms > 0 && elapsed >= slow_ms && w.slow_logged_start_ns != start;
    const bool timeout = timeout_ms > 0 && elapsed >= timeout_ms && !w.timed_out;
    if (!slow && !timeout) continue;
    const sb::SlotView v = read_slot(*board_, w.slot);
    if (v.request_start_ns != start) continue;  // it finished meanwhile
    const int64_t statement_ms =
        v.statement_start_ns > 0 ? ms_between(v.statement_start_ns, now_ns) : -1;
    sb::Header& h = board_->header();
    if (slow) {
      w.slow_logged_start_ns = start;
      h.slow_requests.store(h.slow_requests.load() + 1, std::memory_order_relaxed);
      common::log::warn("slow request", {{"worker_pid", pid},
                                         {"method", v.method},
                                         {"uri", v.uri},
                                         {"elapsed_ms", static_cast<Json::Int64>(elapsed)},
                                         {"statement", v.statement},
                                         {"sql", v.sql},
                                         {"statement_ms", static_cast<Json::Int64>(statement_ms)}});
    }
    if (timeout) {
      w.timed_out = true;
      h.timeouts.store(h.timeouts.load() + 1, std::memory_order_relaxed);
      common::log::warn("request timed out; cancelling its query and replacing the worker",
                        {{"worker_pid", pid},
                         {"method", v.method},
                         {"uri", v.uri},
                         {"elapsed_ms", static_cast<Json::Int64>(elapsed)},
                         {"statement", v.statement},
                         {"backend_pid", v.db_backend_pid}});
      // SIGTERM first: the worker exits as soon as it has answered (the
      // cancelled query gives its client 504 TIMEOUT), and is replaced now.
      retire(w, LeaveReason::kTimeout, SIGTERM, kTimeoutKillGrace);
      if (v.db_backend_pid > 0 && v.statement_start_ns > 0) start_canceller(v.db_backend_pid, pid);
    }
  }
}

void Master::enforce_kill_deadlines() {
  const auto now = Clock::now();
  for (auto& [pid, w] : workers_) {
    if (!w.kill_at || now < *w.kill_at) continue;
    w.kill_at.reset();
    ::kill(pid, SIGKILL);
    sb::Header& h = board_->header();
    h.kills.store(h.kills.load() + 1, std::memory_order_relaxed);
    common::log::warn("worker killed (SIGKILL): it did not exit in time",
                      {{"worker_pid", pid}, {"reason", leave_reason_name(w.leaving)}});
  }
}

// pg_cancel_backend from a short-lived child: the master's loop never waits
// on the database.
void Master::start_canceller(int backend_pid, pid_t worker_pid) {
  const pid_t pid = ::fork();
  if (pid < 0) {
    common::log::error("cannot fork the query canceller", {{"reason", std::strerror(errno)}});
    return;
  }
  if (pid > 0) {
    cancellers_.insert(pid);
    return;
  }
  close_inherited_fds_in_child();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::alarm(static_cast<unsigned>(config_.db_connect_timeout_s + 5));  // never outlive a hung server
  std::string error;
  const bool ok = cancel_backend(config_, backend_pid, error);
  if (ok) {
    common::log::info("query cancelled",
                      {{"worker_pid", worker_pid}, {"backend_pid", backend_pid}});
  } else {
    common::log::warn(
        "query cancel failed",
        {{"worker_pid", worker_pid}, {"backend_pid", backend_pid}, {"reason", error}});
  }
  ::_exit(ok ? 0 : 1);
}

}  // namespace server
