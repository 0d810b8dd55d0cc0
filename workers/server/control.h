// The control protocol between ecommerce-ctl and the master, over the unix
// socket CONTROL_SOCKET (mode 0600). One command per connection: the client
// writes one line, the master answers one line of JSON and closes.
//
//   status            -> {"ok": true, "status": {... /status?full data ...}}
//   workers +N|-N|=N  -> {"ok": true, "message": "workers 4 -> 6"} (N alone means =N)
//   reload            -> {"ok": true, "message": "..."} or {"ok": false, "error": "..."}
//   stop              -> graceful stop, as SIGQUIT
//
// A refused command answers {"ok": false, "error": "why"}.
#pragma once

#include <json/value.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace server::control {

enum class Kind { kStatus, kWorkers, kReload, kStop };
enum class WorkersOp { kAdd, kSet };  // kAdd with a negative delta removes

struct Command {
  Kind kind = Kind::kStatus;
  WorkersOp op = WorkersOp::kAdd;
  int value = 0;  // delta for kAdd, count for kSet
  bool operator==(const Command&) const = default;
};

// Parses words as typed after `ecommerce-ctl` ({"workers", "+2"}). nullopt with
// a message in `error` for anything else.
std::optional<Command> parse(const std::vector<std::string>& words, std::string& error);
// The same from one protocol line ("workers +2\n").
std::optional<Command> parse_line(std::string_view line, std::string& error);
// The protocol line for a command, without the newline.
std::string to_line(const Command& command);

// The count a workers command asks for, given the current one.
int requested_workers(const Command& command, int current);

// What the master does for each command. The bool ones return whether the
// command was done, with a message for the client either way (may be empty).
struct Actions {
  std::function<Json::Value()> status;  // the /status?full data
  std::function<bool(const Command& workers, std::string& message)> workers;
  std::function<bool(std::string& message)> reload;
  std::function<std::string()> stop;  // always done; returns the message
};

// The master's side of one connection: parses `line`, runs the command, and
// returns the reply line (without the newline). A line that does not parse
// answers {"ok": false, "error": ...} without running anything.
std::string answer(std::string_view line, const Actions& actions);

}  // namespace server::control
