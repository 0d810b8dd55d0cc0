#include "workers/ctl/ctl.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "common/router.h"
#include "workers/server/listen_socket.h"

namespace ctl {

const char* const kUsageText =
    "usage: ecommerce-ctl [-s SOCKET] [--json] COMMAND\n"
    "  status             the pool as a table (--json: as JSON)\n"
    "  workers +N|-N|=N   add, remove, or set the number of workers (dynamic: the minimum)\n"
    "  reload             re-read the configuration and replace the workers a few at a time\n"
    "  stop               graceful stop (as SIGQUIT)\n"
    "  jobs               the newest and the dead background jobs (from DATABASE_URL)\n"
    "  jobs retry ID      re-queue a dead job (attempts reset)\n"
    "SOCKET: -s, else $CONTROL_SOCKET, else $STATE_DIR/run/ctl.sock (STATE_DIR default ./var)\n";

std::optional<Options> parse_args(const std::vector<std::string>& args,
                                  const common::EnvLookup& env, std::string& error, bool& help) {
  help = false;
  Options o;
  std::vector<std::string> words;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      help = true;
      return std::nullopt;
    }
    if (a == "--json") {
      o.json = true;
    } else if (a == "-s" || a == "--socket") {
      if (i + 1 >= args.size()) {
        error = a + " needs a path";
        return std::nullopt;
      }
      o.socket = args[++i];
    } else if (words.empty() && a.size() > 1 && a[0] == '-') {
      error = "unknown option " + a;
      return std::nullopt;
    } else {
      words.push_back(a);  // "-1" after "workers" is an argument, not an option
    }
  }
  if (!words.empty() && words[0] == "jobs") {
    JobsCommand jobs;
    if (words.size() == 3 && words[1] == "retry") {
      jobs.retry_id = common::parse_positive_id(words[2]);
      if (!jobs.retry_id) {
        error = "jobs retry: '" + words[2] + "' is not a job id";
        return std::nullopt;
      }
    } else if (words.size() != 1) {
      error = "usage: jobs | jobs retry ID";
      return std::nullopt;
    }
    o.jobs = jobs;
    return o;
  }
  const auto command = server::control::parse(words, error);
  if (!command) return std::nullopt;
  o.command = *command;
  if (o.socket.empty()) {
    const char* from_env = env("CONTROL_SOCKET");
    if (from_env != nullptr && *from_env != '\0') {
      o.socket = from_env;
    } else {
      const char* state = env("STATE_DIR");
      o.socket =
          std::string(state != nullptr && *state != '\0' ? state : "./var") + "/run/ctl.sock";
    }
  }
  return o;
}

std::string send_command(const std::string& socket, const std::string& line, int timeout_ms) {
  sockaddr_un addr{};
  if (socket.size() >= sizeof addr.sun_path) throw std::runtime_error("socket path too long");
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket.c_str(), socket.size() + 1);
  server::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0 || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot connect to " + socket + ": " + std::strerror(errno) +
                             " (is the server running? set -s or CONTROL_SOCKET)");
  }
  const std::string request = line + "\n";
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    throw std::runtime_error("cannot send to " + socket + ": " + std::strerror(errno));
  }
  std::string reply;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[8192];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd.get(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      throw std::runtime_error("no answer from " + socket);
    }
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
    if (reply.find('\n') != std::string::npos) break;
  }
  if (reply.empty()) throw std::runtime_error("the master closed the connection without answering");
  while (!reply.empty() && reply.back() == '\n') reply.pop_back();
  return reply;
}

namespace {

std::string human_bytes(int64_t bytes) {
  char buf[32];
  if (bytes >= (int64_t{1} << 30)) {
    std::snprintf(buf, sizeof buf, "%.1fG", static_cast<double>(bytes) / (1 << 30));
  } else if (bytes >= (1 << 20)) {
    std::snprintf(buf, sizeof buf, "%.1fM", static_cast<double>(bytes) / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%lldK", static_cast<long long>(bytes >> 10));
  }
  return buf;
}

std::string text(const Json::Value& v) {
  if (v.isNull()) return "-";
  if (v.isString()) return v.asString();
  if (v.isBool()) return v.asBool() ? "yes" : "no";
  if (v.isIntegral()) return std::to_string(v.asLargestInt());
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v.asDouble());
  return buf;
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

std::string render_status_table(const Json::Value& s) {
  std::string out;
  out += "master " + text(s["master_pid"]) + "  mode " + text(s["mode"]) + "  since " +
         text(s["started_at"]) + "  generation " + text(s["generation"]) + "\n";
  out += "workers " + text(s["workers"]) + " (target " + text(s["target_workers"]) + ", min " +
         text(s["min_workers"]) + ", max " + text(s["max_workers"]) + ")  idle " + text(s["idle"]) +
         "  busy " + text(s["busy"]) + "  starting " + text(s["starting"]) + "  draining " +
         text(s["draining"]) + "\n";
  out += "accepted " + text(s["accepted_requests"]) + "  listen queue " + text(s["listen_queue"]) +
         "/" + text(s["listen_backlog"]);
  const Json::Value& backoff = s["crash_backoff"];
  if (backoff["active"].asBool()) {
    out += "  CRASH BACKOFF " + text(backoff["delay_s"]) + "s (retry in " +
           text(backoff["retry_in_ms"]) + " ms)";
  }
  if (s["upgrading"].asBool()) out += "  UPGRADING";
  out += "\n";
  const Json::Value& c = s["counters"];
  out += "spawns " + text(c["spawns"]) + "  exits " + text(c["worker_exits"]) + "  kills " +
         text(c["kills"]) + "  timeouts " + text(c["timeouts"]) + "  slow " +
         text(c["slow_requests"]) + "  crash loops " + text(c["crash_loops"]) + "  reloads " +
         text(c["reloads"]) + "  recycles " + text(c["recycles"]) + "\n";

  const Json::Value& jobs = s["jobs"];
  if (jobs.isObject()) {
    out += "jobs: runners " + text(jobs["runners"]) + "  queued " + text(jobs["queued"]) +
           "  running " + text(jobs["running"]) + "  dead " + text(jobs["dead"]) + "\n";
  }
  out += "\n";

  const std::vector<std::pair<const char*, size_t>> columns = {
      {"PID", 8},  {"ROLE", 11}, {"SLOT", 5}, {"GEN", 4},  {"STATE", 9},
      {"REQS", 8}, {"RSS", 8},   {"DB", 10},  {"LAST", 9}, {"CURRENT", 0}};
  for (const auto& [name, width] : columns) out += width ? pad(name, width) : name;
  out += "\n";
  for (const Json::Value& p : s["processes"]) {
    std::string current = "-";
    if (!p["request_uri"].isNull()) {
      current = text(p["request_method"]) + " " + text(p["request_uri"]) + " (" +
                text(p["request_ms"]) + " ms";
      if (!p["statement"].isNull()) current += ", sql " + text(p["statement"]);
      current += ")";
    }
    out += pad(text(p["pid"]), 8) + pad(p.isMember("role") ? text(p["role"]) : "worker", 11) +
           pad(text(p["slot"]), 5) + pad(text(p["generation"]), 4) + pad(text(p["state"]), 9) +
           pad(text(p["requests"]), 8) + pad(human_bytes(p["rss_bytes"].asInt64()), 8) +
           pad(text(p["db"]), 10) + pad(text(p["last_request_ms"]) + "ms", 9) + current + "\n";
  }
  return out;
}

}  // namespace ctl
