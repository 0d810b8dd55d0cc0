// What the master answers: /status, /metrics, ecommerce-ctl commands, and
// the two changes an operator makes at runtime (pool size, reload).
#include <algorithm>
#include <cstdlib>

#include "common/config_file.h"
#include "common/json.h"
#include "common/log.h"
#include "common/secrets.h"
#include "common/settings.h"
#include "workers/server/control.h"
#include "workers/server/dispatch.h"
#include "workers/server/master.h"
#include "workers/server/metrics.h"

namespace server {

namespace sb = scoreboard;

PoolView Master::view() const {
  const sb::Header& h = board_->header();
  constexpr auto kRelaxed = std::memory_order_relaxed;
  PoolView v;
  v.master_pid = master_pid_;
  v.mode = dynamic() ? "dynamic" : "static";
  v.target = target_;
  v.min_workers = config_.min_workers;
  v.max_workers = config_.max_workers;
  v.started_at_ms = h.started_at_ms.load(kRelaxed);
  v.listen_queue = h.listen_queue.load(kRelaxed);
  v.listen_backlog = config_.listen_backlog;
  v.generation = generation_;
  v.backoff_ms = backoff_.count() * 1000;
  if (in_backoff()) {
    v.backoff_retry_in_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_spawn_ - Clock::now()).count();
  }
  v.spawns = h.spawns.load(kRelaxed);
  v.kills = h.kills.load(kRelaxed);
  v.timeouts = h.timeouts.load(kRelaxed);
  v.slow_requests = h.slow_requests.load(kRelaxed);
  v.crash_loops = h.crash_loops.load(kRelaxed);
  v.reloads = h.reloads.load(kRelaxed);
  v.recycles = h.recycles.load(kRelaxed);
  v.worker_exits = h.worker_exits.load(kRelaxed);
  v.upgrading = successor_ != 0 || takeover_pending_;
  v.now_ns = sb::monotonic_ns();
  uint64_t in_flight = 0;
  for (const auto& [pid, w] : workers_) {
    WorkerRow row;
    row.slot = read_slot(*board_, w.slot);
    row.slot.pid = pid;
    if (w.leaving != LeaveReason::kNone || row.slot.state == sb::WorkerState::kDraining) {
      row.state = "draining";
    } else if (row.slot.state == sb::WorkerState::kEmpty) {
      row.state = "starting";
    } else {
      row.state = sb::state_name(row.slot.state);
    }
    in_flight += row.slot.request_start_ns > 0;
    v.workers.push_back(std::move(row));
  }
  std::sort(v.workers.begin(), v.workers.end(),
            [](const WorkerRow& a, const WorkerRow& b) { return a.slot.index < b.slot.index; });
  v.accepted_requests = total_requests(*board_) + in_flight;
  return v;
}

OpsServer::HttpAnswer Master::http(const OpsServer::HttpRequest& req) {
  common::Response r;
  if (req.path != "/status" && req.path != "/metrics") {
    r = error_response(common::AppError(common::ErrorCode::kNotFound, "no such resource"),
                       req.request_id);
  } else if (req.method != "GET" && req.method != "HEAD") {
    r = error_response(common::AppError(common::ErrorCode::kMethodNotAllowed,
                                        "method " + req.method + " is not allowed here")
                           .with_header("Allow", "GET, HEAD"),
                       req.request_id);
  } else if (req.path == "/metrics") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", render_metrics(*board_, view())};
  } else {
    const bool full = common::QueryParams::parse(req.query).has("full");
    r = common::Response::ok(status_data(view(), full));
  }
  return {r.status, r.content_type, r.body};
}

std::string Master::control(std::string_view line) {
  Json::Value reply(Json::objectValue);
  std::string message;
  const auto command = control::parse_line(line, message);
  bool ok = command.has_value();
  if (command) {
    switch (command->kind) {
      case control::Kind::kStatus:
        reply["status"] = status_data(view(), true);
        break;
      case control::Kind::kWorkers:
        ok = set_target(control::requested_workers(*command, target_), "ecommerce-ctl", message);
        break;
      case control::Kind::kReload:
        ok = reload(message);
        break;
      case control::Kind::kStop:
        begin_stop(true, "ecommerce-ctl stop");
        message = "stopping gracefully (GRACEFUL_TIMEOUT " +
                  std::to_string(config_.graceful_timeout_s) + " s)";
        break;
    }
  }
  reply["ok"] = ok;
  if (!message.empty()) reply[ok ? "message" : "error"] = message;
  return common::json::write(reply);
}

bool Master::set_target(int n, const char* by, std::string& message) {
  if (stopping_) {
    message = "the pool is stopping";
    return false;
  }
  if (n < config_.min_workers || n > config_.max_workers) {
    message = "workers must stay between MIN_WORKERS (" + std::to_string(config_.min_workers) +
              ") and MAX_WORKERS (" + std::to_string(config_.max_workers) + "); asked for " +
              std::to_string(n);
    common::log::warn("pool size change refused", {{"by", by}, {"reason", message}});
    return false;
  }
  if (!fits_database(config_, db_limits_, n, message)) {
    common::log::error("pool size change refused: too many database connections",
                       {{"by", by}, {"reason", message}});
    return false;
  }
  const int before = target_;
  target_ = n;
  runtime_target_ = n;
  message = std::string(dynamic() ? "minimum workers " : "workers ") + std::to_string(before) +
            " -> " + std::to_string(n);
  common::log::info("pool size changed", {{"by", by}, {"from", before}, {"to", n}});
  return true;
}

bool Master::reload(std::string& message) {
  if (stopping_) {
    message = "the pool is stopping";
    return false;
  }
  common::Config fresh;
  try {
    fresh = common::load_config_with_file([](const char* name) { return std::getenv(name); });
    common::ensure_jwt_secret(fresh);  // as main() does before serve()
  } catch (const common::ConfigError& e) {
    Json::Value problems(Json::arrayValue);
    for (const auto& p : e.problems()) problems.append(p);
    common::log::error("reload refused: invalid configuration; the pool keeps its current one",
                       {{"problems", problems}});
    message = std::string("invalid configuration: ") + e.what();
    return false;
  }
  // Settings bound to the sockets and files the master holds need a restart
  // (the settings table says which); they keep their running values.
  const auto changes = common::settings::diff(config_, fresh);
  Json::Value kept(Json::arrayValue);
  for (const auto& change : changes) {
    if (change.reload == common::settings::Reload::kRestart) kept.append(change.name);
  }
  common::settings::keep_restart_only(config_, fresh);

  const int capacity_limit = (board_->capacity() - 8) / 2;
  if (fresh.max_workers > capacity_limit) {
    message = "MAX_WORKERS " + std::to_string(fresh.max_workers) + " needs a restart (above " +
              std::to_string(capacity_limit) + ", the size this master's scoreboard was made for)";
    common::log::error("reload refused", {{"reason", message}});
    return false;
  }
  const bool to_dynamic = fresh.pool_mode == common::PoolMode::kDynamic;
  int target = to_dynamic ? fresh.min_workers : fresh.workers;
  if (runtime_target_ > 0) {
    target = std::clamp(runtime_target_, fresh.min_workers, fresh.max_workers);
  }
  if (!fits_database(fresh, db_limits_, to_dynamic ? fresh.max_workers : target, message)) {
    common::log::error("reload refused: pool too large for PostgreSQL", {{"reason", message}});
    return false;
  }

  common::init_logging(fresh);
  if (!fresh.log_file.empty() && fresh.log_file != config_.log_file) {
    std::string error;
    if (!common::log::redirect_to_file(fresh.log_file, error)) {
      common::log::error("cannot open the new LOG_FILE; keeping the old one", {{"reason", error}});
      fresh.log_file = config_.log_file;
    }
  }
  for (const auto& change : changes) {
    const bool applied = change.reload == common::settings::Reload::kApplied;
    common::log::write(applied ? common::log::Level::kInfo : common::log::Level::kWarn,
                       applied ? "setting changed, applied" : "setting changed, needs restart",
                       {{"setting", change.name}, {"from", change.from}, {"to", change.to}});
  }
  config_ = std::move(fresh);
  target_ = target;
  ++generation_;
  sb::Header& h = board_->header();
  h.generation.store(generation_, std::memory_order_relaxed);
  h.reloads.store(h.reloads.load() + 1, std::memory_order_relaxed);
  int replacing = 0;
  for (const auto& [pid, w] : workers_) replacing += w.leaving == LeaveReason::kNone;
  common::log::info("reload accepted; replacing workers a few at a time",
                    {{"generation", generation_},
                     {"workers", target_},
                     {"runtime_count_kept", runtime_target_ > 0},
                     {"replacing", replacing},
                     {"batch", config_.reload_batch},
                     {"restart_only_settings_kept", kept}});
  message = "reloaded: generation " + std::to_string(generation_) + ", replacing " +
            std::to_string(replacing) + " workers, " + std::to_string(config_.reload_batch) +
            " at a time";
  if (!kept.empty())
    message += " (restart-only settings unchanged: " + common::json::write(kept) + ")";
  return true;
}

}  // namespace server
