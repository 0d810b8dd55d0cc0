#include "workers/server/handover.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "common/log.h"

namespace server {

void Handover::start_successor(const SelfExe& self, int listen_fd, int status_fd, int control_fd,
                               int runtime_target, bool stopping) {
  if (stopping || successor_ != 0 || pending_) {
    common::log::warn("SIGUSR2 ignored: an upgrade or a stop is already under way");
    return;
  }
  if (self.path.empty()) {
    common::log::error("SIGUSR2: the path of the running binary is unknown; cannot upgrade");
    return;
  }
  const pid_t pid = server::start_successor(self, listen_fd, status_fd, control_fd, runtime_target);
  if (pid < 0) {
    common::log::error("SIGUSR2: fork failed", {{"reason", std::strerror(errno)}});
    return;
  }
  successor_ = pid;
  common::log::info("upgrade: started a new master from the binary on disk",
                    {{"new_master_pid", pid}, {"binary", self.path}});
}

bool Handover::on_exit(pid_t pid, int status, bool stopping) {
  if (successor_ == 0 || pid != successor_) return false;
  successor_ = 0;
  if (!stopping) {
    common::log::error("upgrade failed: the new master exited before taking over; still serving",
                       {{"new_master_pid", pid},
                        {"exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : -1},
                        {"signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0}});
  }
  return true;
}

void Handover::take_over(int ready_workers, bool timed_out) {
  pending_ = false;
  if (::getppid() == old_master_) ::kill(old_master_, SIGQUIT);
  common::log::info("upgrade: new master in charge; old master asked to stop gracefully",
                    {{"old_master_pid", old_master_},
                     {"ready_workers", ready_workers},
                     {"timed_out", timed_out}});
}

}  // namespace server
