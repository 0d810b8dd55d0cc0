#include "workers/server/pid_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "common/log.h"

namespace server {

void write_pid_file(const std::string& path, pid_t pid) {
  if (path.empty()) return;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << pid << "\n";
    if (!out) {
      common::log::warn("cannot write PID_FILE", {{"path", path}});
      return;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    common::log::warn("cannot write PID_FILE", {{"path", path}, {"reason", std::strerror(errno)}});
  }
}

void remove_pid_file(const std::string& path, pid_t pid) {
  if (path.empty()) return;
  std::ifstream in(path);
  pid_t written = 0;
  if (in >> written && written == pid) ::unlink(path.c_str());
}

}  // namespace server
