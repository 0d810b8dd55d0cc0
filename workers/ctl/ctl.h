// ecommerce-ctl: the operator's command for a running pool, talking to the
// master over its control socket (workers/server/control.h).
//
//   ecommerce-ctl [-s SOCKET] [--json] status
//   ecommerce-ctl [-s SOCKET] workers +N | -N | =N
//   ecommerce-ctl [-s SOCKET] reload
//   ecommerce-ctl [-s SOCKET] stop
//   ecommerce-ctl [--json] jobs [retry ID]
//
// The socket is -s, else $CONTROL_SOCKET, else $STATE_DIR/run/ctl.sock
// (STATE_DIR defaulting to ./var, as for the server).
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/config.h"
#include "workers/server/control.h"

namespace ctl {

// `jobs` (the newest and the dead jobs) and `jobs retry ID` do not go to the
// master (which keeps no database connection): ecommerce-ctl asks PostgreSQL
// itself, at DATABASE_URL (workers/ctl/jobs.h).
struct JobsCommand {
  std::optional<int64_t> retry_id;  // set: re-queue this dead job
};

struct Options {
  std::string socket;
  bool json = false;  // status, jobs: print the JSON instead of the table
  server::control::Command command;
  std::optional<JobsCommand> jobs;  // set: a jobs command (command is unused)
};

// Exit codes of the binary.
inline constexpr int kOk = 0;
inline constexpr int kRefused = 1;
inline constexpr int kUsage = 2;
inline constexpr int kUnreachable = 3;

extern const char* const kUsageText;

// Parses the arguments after the program name. nullopt with `error` set on
// bad usage; `help` set (and nullopt) for -h/--help.
std::optional<Options> parse_args(const std::vector<std::string>& args,
                                  const common::EnvLookup& env, std::string& error, bool& help);

// Sends one command line and returns the master's one-line reply. Throws
// std::runtime_error when the socket cannot be reached or does not answer
// within `timeout_ms`.
std::string send_command(const std::string& socket, const std::string& line, int timeout_ms);

// The status (the "status" object of the reply) as a terminal table.
std::string render_status_table(const Json::Value& status);

}  // namespace ctl
