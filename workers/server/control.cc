#include "workers/server/control.h"

#include <charconv>

#include "common/json.h"

namespace server::control {

namespace {

std::optional<int> parse_count(std::string_view s) {
  int value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Command> parse(const std::vector<std::string>& words, std::string& error) {
  if (words.empty()) {
    error = "missing command (status, workers +N|-N|=N, reload, stop)";
    return std::nullopt;
  }
  const std::string& verb = words[0];
  Command c;
  if (verb == "status" || verb == "reload" || verb == "stop") {
    if (words.size() != 1) {
      error = verb + " takes no argument";
      return std::nullopt;
    }
    c.kind = verb == "status" ? Kind::kStatus : verb == "reload" ? Kind::kReload : Kind::kStop;
    return c;
  }
  if (verb != "workers") {
    error = "unknown command '" + verb + "' (status, workers +N|-N|=N, reload, stop)";
    return std::nullopt;
  }
  if (words.size() != 2) {
    error = "usage: workers +N | -N | =N";
    return std::nullopt;
  }
  std::string_view arg = words[1];
  c.kind = Kind::kWorkers;
  std::optional<int> n;
  if (arg.starts_with('+') || arg.starts_with('-')) {
    c.op = WorkersOp::kAdd;
    n = parse_count(arg.substr(1));
    if (n && arg.front() == '-') *n = -*n;
    if (n && *n == 0) n.reset();
  } else {
    c.op = WorkersOp::kSet;
    if (arg.starts_with('=')) arg.remove_prefix(1);
    n = parse_count(arg);
    if (n && *n < 1) n.reset();
  }
  if (!n || *n > 4096 || *n < -4096) {
    error = "workers: '" + words[1] + "' is not +N, -N or =N (N a positive integer)";
    return std::nullopt;
  }
  c.value = *n;
  return c;
}

std::optional<Command> parse_line(std::string_view line, std::string& error) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < line.size()) {
    const size_t start = line.find_first_not_of(" \t\r\n", pos);
    if (start == std::string_view::npos) break;
    const size_t end = line.find_first_of(" \t\r\n", start);
    words.emplace_back(line.substr(start, end - start));
    pos = end == std::string_view::npos ? line.size() : end;
  }
  return parse(words, error);
}

std::string to_line(const Command& c) {
  switch (c.kind) {
    case Kind::kStatus:
      return "status";
    case Kind::kReload:
      return "reload";
    case Kind::kStop:
      return "stop";
    case Kind::kWorkers:
      if (c.op == WorkersOp::kSet) return "workers =" + std::to_string(c.value);
      return std::string("workers ") + (c.value > 0 ? "+" : "-") +
             std::to_string(c.value > 0 ? c.value : -c.value);
  }
  return "status";
}

int requested_workers(const Command& c, int current) {
  return c.op == WorkersOp::kSet ? c.value : current + c.value;
}

std::string answer(std::string_view line, const Actions& actions) {
  Json::Value reply(Json::objectValue);
  std::string message;
  const auto command = parse_line(line, message);
  bool ok = command.has_value();
  if (command) {
    switch (command->kind) {
      case Kind::kStatus:
        reply["status"] = actions.status();
        break;
      case Kind::kWorkers:
        ok = actions.workers(*command, message);
        break;
      case Kind::kReload:
        ok = actions.reload(message);
        break;
      case Kind::kStop:
        message = actions.stop();
        break;
    }
  }
  reply["ok"] = ok;
  if (!message.empty()) reply[ok ? "message" : "error"] = message;
  return common::json::write(reply);
}

}  // namespace server::control
