// PID_FILE: the pid of the master in charge, one line.
#pragma once

#include <sys/types.h>

#include <string>

namespace server {

// Writes `pid` to `path` atomically (a temporary file, then rename). Nothing
// for an empty path; a failure is logged and otherwise ignored (the pool
// serves without a pid file).
void write_pid_file(const std::string& path, pid_t pid);

// Removes `path` when it still names `pid` (a successor may have written its own).
void remove_pid_file(const std::string& path, pid_t pid);

}  // namespace server
