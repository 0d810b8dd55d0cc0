// Spawning and reaping the master's children, whatever their role
// (child.h): one fork path, one exit path, one way to ask a child to leave,
// one replacement path (reload, MAX_REQUESTS, MAX_RSS_MB), one SIGKILL
// deadline, and the crash backoff. How many workers to run is not decided
// here (worker_pool.h); what runs too long is watched elsewhere
// (request_watch.h).
//
// Each child gets a scoreboard slot, prepared before fork() and freed after
// the child is reaped. Lifecycle events are logged under the role's name:
// "<role> spawned", "<role> exited", "retiring <role>", "<role> killed
// (SIGKILL): ...", "<role> crash loop, delaying respawn". Of the scoreboard
// header's counters it writes spawns, worker_exits, kills, crash_loops,
// recycles and the backoff gauges.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>

#include "common/config.h"
#include "workers/server/child.h"
#include "workers/server/crash_backoff.h"
#include "workers/server/scoreboard.h"

namespace server {

struct SupervisorSetup {
  // The master's configuration, read at each spawn: a reload assigns it in
  // place. Must outlive the supervisor, as must `board`.
  const common::Config& config;
  scoreboard::Scoreboard& board;
  int listen_fd;  // inherited by every child
  pid_t master_pid;
  // Runs in each forked child before its entry: closes the master's own
  // descriptors (signalfd, operations sockets).
  std::function<void()> close_in_child;
};

class Supervisor {
 public:
  explicit Supervisor(SupervisorSetup setup);
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Forks a child of `role` in the current generation. Returns its pid, or 0
  // when no slot is free or fork() failed (spawning then pauses for 1 s).
  [[nodiscard]] pid_t spawn(const Role& role, const char* why, pid_t replaces = 0);

  // For a pid waitpid() returned: when it is one of the children, logs its
  // exit, frees its slot, counts a start-up crash, and returns true.
  bool on_exit(pid_t pid, int status);

  // Once per tick: lets an old crash go, and replaces children that asked for
  // it or belong to an older generation, RELOAD_BATCH at a time, each one
  // leaving once its replacement is ready.
  void tick();

  // Sends `sig` and asks the child to leave for `why`; SIGKILL if it is still
  // there after `kill_after`.
  void retire(Child& child, LeaveReason why, int sig, Clock::duration kill_after);
  // Retires `n` counted children of `role`: idle first (the longest idle
  // first), then starting ones, then busy ones, which finish their request.
  void retire_some(const Role& role, int n);
  // Keeps `count` counted children of `role`: spawns the missing ones (not
  // while the crash backoff holds), retires the extra ones (retire_some).
  void keep(const Role& role, int count, const char* why);
  // Every child leaves: graceful (SIGTERM, GRACEFUL_TIMEOUT) or fast (SIGINT,
  // SIGKILL after 2 s). After this no crash holds spawning back.
  void stop_all(bool graceful);
  // SIGKILL for children past their deadline.
  void enforce_kill_deadlines();
  // Sends a signal to every child (SIGUSR1: reopen the log).
  void signal_all(int sig) const;

  // A reload: every child of an older generation is to be replaced.
  void new_generation();
  uint32_t generation() const { return generation_; }

  // Counted: not leaving and not already replaced by a live child.
  bool counted(const Child& child) const;
  // Ready: its slot shows idle or busy.
  bool ready(pid_t pid) const;
  // Counted and ready children of `role`.
  int ready_count(const Role& role) const;

  std::map<pid_t, Child>& children() { return children_; }
  const std::map<pid_t, Child>& children() const { return children_; }
  bool empty() const { return children_.empty(); }
  scoreboard::Scoreboard& board() { return board_; }
  const scoreboard::Scoreboard& board() const { return board_; }
  const CrashBackoff& backoff() const { return backoff_; }
  // Whether spawning is held back right now.
  bool holding() const { return backoff_.holding(Clock::now()); }
  // The slot's state as the child last published it.
  scoreboard::WorkerState slot_state(const Child& child) const;

 private:
  void log_exit(const Child& child, int status, uint64_t requests) const;
  void replace_flagged();

  SupervisorSetup setup_;
  scoreboard::Scoreboard& board_;
  std::map<pid_t, Child> children_;
  uint32_t generation_ = 1;
  bool stopping_ = false;
  CrashBackoff backoff_;
  bool slots_full_logged_ = false;
};

}  // namespace server
