#include "workers/server/metrics.h"

#include <array>
#include <cstdio>
#include <map>
#include <tuple>

namespace server {

namespace sb = scoreboard;

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

struct HistogramSum {
  std::array<uint64_t, sb::kBuckets> buckets{};
  uint64_t count = 0;
  uint64_t sum_us = 0;

  void add(const sb::Histogram& h) {
    for (size_t i = 0; i < sb::kBuckets; ++i) buckets[i] += h.buckets[i].load(kRelaxed);
    count += h.count.load(kRelaxed);
    sum_us += h.sum_us.load(kRelaxed);
  }
};

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

std::string bound(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const std::string& name, const std::string& labels,
            const std::string& value) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += value;
  out += '\n';
}

void histogram(std::string& out, const std::string& name, const std::string& labels,
               const HistogramSum& h) {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < sb::kBuckets; ++i) {
    cumulative += h.buckets[i];
    const std::string le = i < sb::kBucketBounds.size() ? bound(sb::kBucketBounds[i]) : "+Inf";
    sample(out, name + "_bucket", labels + sep + "le=\"" + le + "\"", std::to_string(cumulative));
  }
  sample(out, name + "_sum", labels, number(static_cast<double>(h.sum_us) / 1e6));
  sample(out, name + "_count", labels, std::to_string(h.count));
}

}  // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

uint64_t total_requests(const sb::Scoreboard& board) {
  uint64_t total = 0;
  for (int i = 0; i < board.capacity(); ++i) {
    const sb::SlotMetrics& m = board.slot(i).metrics;
    for (const sb::RequestSeries& e : m.requests) {
      if (e.used.load(std::memory_order_acquire) != 0) total += e.count.load(kRelaxed);
    }
    total += m.untracked_requests.load(kRelaxed);
  }
  return total;
}

std::string render_metrics(const sb::Scoreboard& board, const PoolView& view) {
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests;  // route, method, status
  std::map<std::string, HistogramSum> routes;
  HistogramSum db;
  std::array<uint64_t, sb::kCacheResults> cache{};
  uint64_t untracked = 0;
  std::array<std::array<uint64_t, sb::kJobResults>, sb::kJobQueues> jobs{};
  std::array<HistogramSum, sb::kJobQueues> job_durations;
  bool any_job = false;
  uint64_t rejected = 0;
  int64_t replica_lag_ms = -1;  // the newest measurement of any worker
  int64_t replica_lag_at = 0;
  for (int i = 0; i < board.capacity(); ++i) {
    const sb::SlotMetrics& m = board.slot(i).metrics;
    for (const sb::RequestSeries& e : m.requests) {
      if (e.used.load(std::memory_order_acquire) == 0) continue;
      // Shared memory is written by every worker: whatever a slot holds, only
      // method_label's values are ever exposed.
      const std::string method(sb::method_label(e.method));
      requests[{e.route, method, e.status}] += e.count.load(kRelaxed);
    }
    for (const sb::RouteSeries& r : m.routes) {
      if (r.used.load(std::memory_order_acquire) == 0) continue;
      routes[r.route].add(r.duration);
    }
    db.add(m.db_query);
    for (size_t r = 0; r < cache.size(); ++r) cache[r] += m.cache[r].load(kRelaxed);
    untracked += m.untracked_requests.load(kRelaxed);
    for (size_t q = 0; q < sb::kJobQueues; ++q) {
      for (size_t r = 0; r < sb::kJobResults; ++r) {
        jobs[q][r] += m.jobs[q][r].load(kRelaxed);
        any_job = any_job || jobs[q][r] > 0;
      }
      job_durations[q].add(m.job_duration[q]);
    }
    rejected += m.rejected_connections.load(kRelaxed);
    const int64_t at = m.replica_lag_at_ms.load(kRelaxed);
    if (at > replica_lag_at) {
      replica_lag_at = at;
      replica_lag_ms = m.replica_lag_ms.load(kRelaxed);
    }
  }

  std::string out;
  out.reserve(8192);
  family(out, "http_requests_total", "counter", "HTTP requests answered by the workers.");
  for (const auto& [key, count] : requests) {
    const auto& [route, method, status] = key;
    sample(out, "http_requests_total",
           "method=\"" + escape_label(method) + "\",route=\"" + escape_label(route) +
               "\",status=\"" + std::to_string(status) + "\"",
           std::to_string(count));
  }
  family(out, "http_request_duration_seconds", "histogram",
         "Time from reading a request to writing its answer, by route.");
  for (const auto& [route, h] : routes) {
    histogram(out, "http_request_duration_seconds", "route=\"" + escape_label(route) + "\"", h);
  }
  family(out, "db_query_duration_seconds", "histogram",
         "Time of each database round trip (statement or command).");
  histogram(out, "db_query_duration_seconds", "", db);
  family(out, "cache_requests_total", "counter",
         "Catalogue cache lookups: hit, miss (loaded from PostgreSQL), error (Redis failed or "
         "skipped).");
  for (size_t r = 0; r < cache.size(); ++r) {
    const auto result = static_cast<sb::CacheResult>(r);
    sample(out, "cache_requests_total",
           std::string("result=\"") + sb::cache_result_name(result) + "\"",
           std::to_string(cache[r]));
  }
  // The job series exist once a job-runner process is configured or has run
  // a job, so a host with JOB_RUNNERS=0 exposes none.
  const bool jobs_shown = any_job || view.jobs.runners > 0;
  family(out, "jobs_total", "counter",
         "Runs of background jobs by queue and how they ended: done, retry (queued again), dead.");
  for (size_t q = 0; jobs_shown && q < sb::kJobQueues; ++q) {
    for (size_t r = 0; r < sb::kJobResults; ++r) {
      sample(out, "jobs_total",
             std::string("queue=\"") + sb::job_queue_name(q) + "\",result=\"" +
                 sb::job_result_name(static_cast<sb::JobResult>(r)) + "\"",
             std::to_string(jobs[q][r]));
    }
  }
  family(out, "jobs_queued", "gauge",
         "Jobs waiting in the queue (due or not), as a job runner last counted them.");
  for (size_t q = 0; jobs_shown && q < sb::kJobQueues; ++q) {
    sample(out, "jobs_queued", std::string("queue=\"") + sb::job_queue_name(q) + "\"",
           std::to_string(view.jobs.queued[q]));
  }
  family(out, "job_duration_seconds", "histogram", "Time a job's handler ran, by queue.");
  for (size_t q = 0; jobs_shown && q < sb::kJobQueues; ++q) {
    histogram(out, "job_duration_seconds", std::string("queue=\"") + sb::job_queue_name(q) + "\"",
              job_durations[q]);
  }
  family(out, "stock_drift_variants", "gauge",
         "Variants the last stock reconciliation found out of balance.");
  sample(out, "stock_drift_variants", "", std::to_string(view.jobs.stock_drift_variants));

  family(out, "worker_pool_workers", "gauge", "Worker processes by state.");
  for (const char* state : {"starting", "idle", "busy", "draining"}) {
    sample(out, "worker_pool_workers", std::string("state=\"") + state + "\"",
           std::to_string(view.count(state)));
  }
  const auto gauge = [&](const char* name, const char* help, int64_t value) {
    family(out, name, "gauge", help);
    sample(out, name, "", std::to_string(value));
  };
  gauge("worker_pool_target_workers", "Workers the pool keeps (dynamic: at least).", view.target);
  gauge("worker_pool_min_workers", "MIN_WORKERS.", view.min_workers);
  gauge("worker_pool_max_workers", "MAX_WORKERS.", view.max_workers);
  gauge("worker_pool_listen_queue", "Connections waiting to be accepted (-1: unknown).",
        view.listen_queue);
  gauge("worker_pool_listen_backlog", "LISTEN_BACKLOG.", view.listen_backlog);
  family(out, "worker_pool_crash_backoff_seconds", "gauge",
         "Delay before the next spawn after repeated start-up crashes (0: none).");
  sample(out, "worker_pool_crash_backoff_seconds", "",
         number(static_cast<double>(view.backoff_ms) / 1000.0));
  const auto counter = [&](const char* name, const char* help, uint64_t value) {
    family(out, name, "counter", help);
    sample(out, name, "", std::to_string(value));
  };
  counter("worker_pool_spawns_total", "Workers started.", view.spawns);
  counter("worker_pool_worker_exits_total", "Workers that exited, for any reason.",
          view.worker_exits);
  counter("worker_pool_kills_total", "Workers the master had to SIGKILL.", view.kills);
  counter("worker_pool_timeouts_total", "Requests that ran past REQUEST_TIMEOUT_S.", view.timeouts);
  counter("worker_pool_slow_requests_total", "Requests that ran past REQUEST_SLOW_MS.",
          view.slow_requests);
  counter("worker_pool_crash_loops_total", "Times start-up crashes delayed spawning.",
          view.crash_loops);
  counter("worker_pool_reloads_total", "Configuration reloads accepted.", view.reloads);
  counter("worker_pool_recycles_total", "Workers replaced for MAX_REQUESTS or MAX_RSS_MB.",
          view.recycles);
  counter("worker_pool_untracked_requests_total",
          "Requests counted outside http_requests_total (a series table was full).", untracked);
  family(out, "replica_lag_seconds", "gauge",
         "Read replica lag (DATABASE_READ_URL) at the newest measurement; no sample without one.");
  if (replica_lag_ms >= 0) {
    sample(out, "replica_lag_seconds", "", number(static_cast<double>(replica_lag_ms) / 1000.0));
  }
  counter("fcgi_rejected_connections_total",
          "FastCGI connections closed at accept: the peer is not in FCGI_ALLOWED_ADDRS.", rejected);
  return out;
}

}  // namespace server
