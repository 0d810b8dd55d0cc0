#include "workers/server/status.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "workers/server/child.h"

namespace server {

int PoolView::count(std::string_view state) const {
  return static_cast<int>(std::count_if(workers.begin(), workers.end(), [&](const WorkerRow& w) {
    return w.role == kWorkerRole.name && w.state == state;
  }));
}

int PoolView::worker_count() const {
  return static_cast<int>(std::count_if(workers.begin(), workers.end(), [](const WorkerRow& w) {
    return w.role == kWorkerRole.name;
  }));
}

int64_t JobsView::queued_total() const {
  int64_t total = 0;
  for (const int64_t n : queued) total += n;
  return total;
}

std::string rfc3339_ms(int64_t wall_ms) {
  const time_t seconds = static_cast<time_t>(wall_ms / 1000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(wall_ms % 1000) * 1000);
  return buf;
}

namespace {

Json::Value process_json(const WorkerRow& w, int64_t now_ns) {
  const scoreboard::SlotView& s = w.slot;
  Json::Value p(Json::objectValue);
  p["pid"] = s.pid;
  p["role"] = w.role;
  p["slot"] = s.index;
  p["generation"] = s.generation;
  p["state"] = w.state;
  p["started_at"] = rfc3339_ms(s.started_at_ms);
  p["requests"] = static_cast<Json::UInt64>(s.requests);
  const bool in_request = s.request_start_ns > 0;
  p["request_method"] = in_request ? Json::Value(s.method) : Json::Value();
  p["request_uri"] = in_request ? Json::Value(s.uri) : Json::Value();
  p["request_ms"] =
      in_request ? static_cast<Json::Int64>((now_ns - s.request_start_ns) / 1000000) : 0;
  p["last_request_ms"] = static_cast<Json::Int64>((s.last_duration_us + 500) / 1000);
  p["rss_bytes"] = static_cast<Json::Int64>(s.rss_bytes);
  p["db"] = scoreboard::db_state_name(s.db_state);
  p["statement"] =
      in_request && s.statement_start_ns > 0 ? Json::Value(s.statement) : Json::Value();
  return p;
}

}  // namespace

Json::Value status_data(const PoolView& v, bool full) {
  Json::Value d(Json::objectValue);
  d["master_pid"] = v.master_pid;
  d["mode"] = v.mode;
  d["workers"] = v.worker_count();
  d["idle"] = v.count("idle");
  d["busy"] = v.count("busy");
  d["starting"] = v.count("starting");
  d["draining"] = v.count("draining");
  d["target_workers"] = v.target;
  d["min_workers"] = v.min_workers;
  d["max_workers"] = v.max_workers;
  d["accepted_requests"] = static_cast<Json::UInt64>(v.accepted_requests);
  d["listen_queue"] = static_cast<Json::Int64>(v.listen_queue);
  d["listen_backlog"] = v.listen_backlog;
  d["started_at"] = rfc3339_ms(v.started_at_ms);
  d["generation"] = v.generation;
  Json::Value backoff(Json::objectValue);
  backoff["active"] = v.backoff_retry_in_ms > 0;
  backoff["delay_s"] = static_cast<Json::Int64>(v.backoff_ms / 1000);
  backoff["retry_in_ms"] = static_cast<Json::Int64>(v.backoff_retry_in_ms);
  d["crash_backoff"] = backoff;
  Json::Value counters(Json::objectValue);
  counters["spawns"] = static_cast<Json::UInt64>(v.spawns);
  counters["worker_exits"] = static_cast<Json::UInt64>(v.worker_exits);
  counters["kills"] = static_cast<Json::UInt64>(v.kills);
  counters["timeouts"] = static_cast<Json::UInt64>(v.timeouts);
  counters["slow_requests"] = static_cast<Json::UInt64>(v.slow_requests);
  counters["crash_loops"] = static_cast<Json::UInt64>(v.crash_loops);
  counters["reloads"] = static_cast<Json::UInt64>(v.reloads);
  counters["recycles"] = static_cast<Json::UInt64>(v.recycles);
  d["counters"] = counters;
  d["upgrading"] = v.upgrading;
  Json::Value jobs(Json::objectValue);
  jobs["runners"] = v.jobs.runners;
  jobs["queued"] = static_cast<Json::Int64>(v.jobs.queued_total());
  jobs["running"] = static_cast<Json::Int64>(v.jobs.running);
  jobs["dead"] = static_cast<Json::Int64>(v.jobs.dead);
  d["jobs"] = jobs;
  if (full) {
    Json::Value processes(Json::arrayValue);
    for (const WorkerRow& w : v.workers) processes.append(process_json(w, v.now_ns));
    d["processes"] = processes;
  }
  return d;
}

}  // namespace server
