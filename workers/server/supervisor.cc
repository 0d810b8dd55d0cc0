#include "workers/server/supervisor.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "common/log.h"

namespace server {

namespace sb = scoreboard;

namespace {

constexpr auto kFastStopGrace = std::chrono::seconds(2);
constexpr auto kForkRetry = std::chrono::seconds(1);
constexpr auto kRelaxed = std::memory_order_relaxed;

std::string event(const Role& role, const char* what) { return std::string(role.name) + what; }

}  // namespace

Supervisor::Supervisor(SupervisorSetup setup) : setup_(std::move(setup)), board_(setup_.board) {}

sb::WorkerState Supervisor::slot_state(const Child& child) const {
  return static_cast<sb::WorkerState>(
      board_.slot(child.slot).state.load(std::memory_order_acquire));
}

bool Supervisor::counted(const Child& c) const {
  if (c.leaving != LeaveReason::kNone) return false;
  return c.replacement == 0 || !children_.contains(c.replacement);
}

bool Supervisor::ready(pid_t pid) const {
  const auto it = children_.find(pid);
  if (it == children_.end()) return false;
  const sb::WorkerState s = slot_state(it->second);
  return s == sb::WorkerState::kIdle || s == sb::WorkerState::kBusy;
}

int Supervisor::ready_count(const Role& role) const {
  int n = 0;
  for (const auto& [pid, c] : children_) n += c.role == &role && counted(c) && ready(pid);
  return n;
}

pid_t Supervisor::spawn(const Role& role, const char* why, pid_t replaces) {
  const int slot = board_.free_slot();
  if (slot < 0) {
    if (!slots_full_logged_) {
      common::log::error(std::string("scoreboard full: no slot for another ") + role.name,
                         {{"capacity", board_.capacity()}});
      slots_full_logged_ = true;
    }
    return 0;
  }
  slots_full_logged_ = false;
  board_.prepare_slot(slot, generation_, role.id);
  const pid_t pid = ::fork();
  if (pid == 0) {
    setup_.close_in_child();
    const WorkerSetup child{setup_.config,     setup_.listen_fd,      setup_.master_pid,
                            board_.slot(slot), board_.header().cache, board_.header()};
    ::_exit(role.entry(child));
  }
  if (pid < 0) {
    board_.release_slot(slot);
    common::log::error("fork failed", {{"reason", std::strerror(errno)}});
    backoff_.pause_until(Clock::now() + kForkRetry);
    return 0;
  }
  board_.slot(slot).pid.store(pid, kRelaxed);
  Child c;
  c.pid = pid;
  c.role = &role;
  c.slot = slot;
  c.generation = generation_;
  c.started = Clock::now();
  children_[pid] = c;
  sb::bump(board_.header().spawns);
  common::log::info(event(role, " spawned"), {{"worker_pid", pid},
                                              {"slot", slot},
                                              {"generation", generation_},
                                              {"reason", why},
                                              {"replaces", replaces}});
  return pid;
}

bool Supervisor::on_exit(pid_t pid, int status) {
  const auto it = children_.find(pid);
  if (it == children_.end()) return false;
  const Child c = it->second;
  children_.erase(it);
  const sb::SlotView last = read_slot(board_, c.slot);
  board_.release_slot(c.slot);
  sb::Header& h = board_.header();
  sb::bump(h.worker_exits);
  log_exit(c, status, last.requests);

  const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (stopping_ || c.leaving != LeaveReason::kNone || clean) return true;
  const auto now = Clock::now();
  if (!CrashBackoff::is_startup_crash(now - c.started)) return true;
  const std::chrono::seconds delay = backoff_.on_crash(now);
  sb::bump(h.crash_loops);
  h.backoff_ms.store(delay.count() * 1000, kRelaxed);
  h.backoff_until_ms.store(sb::wall_ms() + delay.count() * 1000, kRelaxed);
  common::log::warn(event(*c.role, " crash loop, delaying respawn"),
                    {{"delay_s", static_cast<int>(delay.count())}});
  return true;
}

void Supervisor::log_exit(const Child& c, int status, uint64_t requests) const {
  const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  const bool asked = c.leaving != LeaveReason::kNone;
  const char* reason = asked   ? leave_reason_name(c.leaving)
                       : clean ? "exited on its own"
                               : "crashed";
  const auto lived_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - c.started).count();
  const auto level = asked || clean ? common::log::Level::kInfo : common::log::Level::kWarn;
  if (WIFSIGNALED(status)) {
    common::log::write(level, event(*c.role, " exited"),
                       {{"worker_pid", c.pid},
                        {"reason", reason},
                        {"signal", WTERMSIG(status)},
                        {"signal_name", strsignal(WTERMSIG(status))},
                        {"requests", static_cast<Json::UInt64>(requests)},
                        {"lived_ms", static_cast<Json::Int64>(lived_ms)}});
  } else {
    common::log::write(level, event(*c.role, " exited"),
                       {{"worker_pid", c.pid},
                        {"reason", reason},
                        {"exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : -1},
                        {"requests", static_cast<Json::UInt64>(requests)},
                        {"lived_ms", static_cast<Json::Int64>(lived_ms)}});
  }
}

void Supervisor::retire(Child& c, LeaveReason why, int sig, Clock::duration kill_after) {
  if (c.leaving == LeaveReason::kNone) c.leaving = why;
  ::kill(c.pid, sig);
  const Clock::time_point deadline = Clock::now() + kill_after;
  if (!c.kill_at || deadline < *c.kill_at) c.kill_at = deadline;
  if (why != LeaveReason::kStop && why != LeaveReason::kFastStop) {
    common::log::info(std::string("retiring ") + c.role->name,
                      {{"worker_pid", c.pid}, {"reason", leave_reason_name(why)}});
  }
}

void Supervisor::retire_some(const Role& role, int n) {
  std::vector<std::pair<int64_t, Child*>> candidates;
  for (auto& [pid, c] : children_) {
    if (c.role != &role || !counted(c)) continue;
    const auto state = slot_state(c);
    int64_t rank = 0;
    if (state == sb::WorkerState::kIdle) {
      rank = board_.slot(c.slot).idle_since_ns.load(kRelaxed);  // older idle first
    } else if (state == sb::WorkerState::kStarting) {
      rank = INT64_MAX / 2;
    } else {
      rank = INT64_MAX;
    }
    candidates.emplace_back(rank, &c);
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (int i = 0; i < n && i < static_cast<int>(candidates.size()); ++i) {
    retire(*candidates[i].second, LeaveReason::kRetired, SIGTERM,
           std::chrono::seconds(setup_.config.graceful_timeout_s));
  }
}

void Supervisor::keep(const Role& role, int count, const char* why) {
  int running = 0;
  for (const auto& [pid, c] : children_) running += c.role == &role && counted(c);
  if (running > count) {
    retire_some(role, running - count);
    return;
  }
  for (int i = running; i < count && !holding(); ++i) {
    if (spawn(role, why) == 0) return;
  }
}

void Supervisor::stop_all(bool graceful) {
  stopping_ = true;
  for (auto& [pid, c] : children_) {
    if (graceful) {
      retire(c, LeaveReason::kStop, SIGTERM,
             std::chrono::seconds(setup_.config.graceful_timeout_s));
    } else {
      c.leaving = LeaveReason::kFastStop;
      retire(c, LeaveReason::kFastStop, SIGINT, kFastStopGrace);
    }
  }
}

void Supervisor::enforce_kill_deadlines() {
  const auto now = Clock::now();
  for (auto& [pid, c] : children_) {
    if (!c.kill_at || now < *c.kill_at) continue;
    c.kill_at.reset();
    ::kill(pid, SIGKILL);
    sb::bump(board_.header().kills);
    common::log::warn(event(*c.role, " killed (SIGKILL): it did not exit in time"),
                      {{"worker_pid", pid}, {"reason", leave_reason_name(c.leaving)}});
  }
}

void Supervisor::signal_all(int sig) const {
  for (const auto& [pid, c] : children_) ::kill(pid, sig);
}

void Supervisor::new_generation() {
  ++generation_;
  board_.header().generation.store(generation_, kRelaxed);
}

void Supervisor::tick() {
  if (backoff_.expire(Clock::now())) {
    board_.header().backoff_ms.store(0, kRelaxed);
    board_.header().backoff_until_ms.store(0, kRelaxed);
  }
  replace_flagged();
}

void Supervisor::replace_flagged() {
  for (auto& [pid, c] : children_) {
    if (c.leaving != LeaveReason::kNone || c.replace != LeaveReason::kNone) continue;
    const auto recycle = static_cast<sb::RecycleReason>(board_.slot(c.slot).recycle.load(kRelaxed));
    if (recycle == sb::RecycleReason::kMaxRequests) {
      c.replace = LeaveReason::kMaxRequests;
    } else if (recycle == sb::RecycleReason::kMaxRss) {
      c.replace = LeaveReason::kMaxRss;
    } else if (c.generation != generation_) {
      c.replace = LeaveReason::kReload;
    }
  }
  int in_flight = 0;
  for (auto& [pid, c] : children_) {
    if (c.replacement == 0) continue;
    if (!children_.contains(c.replacement)) {
      c.replacement = 0;  // it died or was retired: find another
    } else if (c.leaving == LeaveReason::kNone && ready(c.replacement)) {
      if (c.replace == LeaveReason::kMaxRequests || c.replace == LeaveReason::kMaxRss) {
        sb::bump(board_.header().recycles);
      }
      retire(c, c.replace, SIGTERM, std::chrono::seconds(setup_.config.graceful_timeout_s));
    } else if (!ready(c.replacement)) {
      ++in_flight;
    }
  }
  if (holding()) return;
  for (auto& [pid, c] : children_) {
    if (in_flight >= setup_.config.reload_batch) return;
    if (c.leaving != LeaveReason::kNone || c.replace == LeaveReason::kNone || c.replacement != 0) {
      continue;
    }
    // spawn() inserts into children_; std::map keeps `c` valid.
    const pid_t replacement = spawn(*c.role, leave_reason_name(c.replace), c.pid);
    if (replacement == 0) return;
    c.replacement = replacement;
    ++in_flight;
  }
}

}  // namespace server
