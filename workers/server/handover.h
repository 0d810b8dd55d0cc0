// The master's side of a SIGUSR2 upgrade (the mechanics of passing the
// sockets are in upgrade.h), in both roles a master can play:
//
//   the old master   starts the successor from the binary on disk; while it
//                    runs, a stop leaves the sockets and the pid file to it;
//                    if it dies first, that is logged and serving goes on.
//   the successor    (started with ECOMMERCE_UPGRADE_FROM) is "pending" until
//                    its pool is ready; then it takes over: the caller writes
//                    the pid file, and the old master is sent SIGQUIT.
#pragma once

#include <sys/types.h>

#include "workers/server/upgrade.h"

namespace server {

class Handover {
 public:
  // `old_master`: the master this one succeeds; 0 when started normally.
  explicit Handover(pid_t old_master) : old_master_(old_master), pending_(old_master > 0) {}

  // SIGUSR2. Refused (logged) while stopping, during another upgrade, or when
  // the binary's path is unknown.
  void start_successor(const SelfExe& self, int listen_fd, int status_fd, int control_fd,
                       int runtime_target, bool stopping);
  // For a pid waitpid() returned: true when it was the successor ("upgrade
  // failed: ..." unless we are stopping anyway).
  bool on_exit(pid_t pid, int status, bool stopping);
  // A stop begins: with a successor running, what we listen on is now its.
  void on_stop() {
    if (successor_ != 0) handed_over_ = true;
  }
  // The successor's pool is ready (or waited long enough): we are in charge.
  void take_over(int ready_workers, bool timed_out);

  // We are a successor, not yet in charge.
  bool pending() const { return pending_; }
  // A successor is starting, or we are one not yet in charge.
  bool upgrading() const { return successor_ != 0 || pending_; }
  // Stopped for a successor: leave the sockets and the pid file alone.
  bool handed_over() const { return handed_over_; }
  pid_t old_master() const { return old_master_; }

 private:
  const pid_t old_master_;
  bool pending_;
  pid_t successor_ = 0;
  bool handed_over_ = false;
};

}  // namespace server
