// /metrics: Prometheus text exposition (format 0.0.4), summed over every slot
// of the scoreboard. Slot metrics are never reset, so every counter here is
// monotonic across worker replacement (it restarts only with the master).
//
// Families (API.md "Operations" plus the pool's own):
//   http_requests_total{method,route,status}       counter (method: scoreboard::method_label)
//   http_request_duration_seconds{route}           histogram
//   db_query_duration_seconds                      histogram
//   cache_requests_total{result}                   counter (result: hit|miss|error)
//   jobs_total{queue,result}                       counter (result: done|retry|dead)
//   jobs_queued{queue}                             gauge (the runners' last count)
//   job_duration_seconds{queue}                    histogram
//   stock_drift_variants                           gauge
//   (the job series by queue exist once a runner is configured or has run a job)
//   worker_pool_workers{state}                     gauge (starting|idle|busy|draining;
//                                                  workers only)
//   worker_pool_target_workers, _min_workers, _max_workers, _listen_queue,
//   _listen_backlog, _crash_backoff_seconds        gauges
//   worker_pool_spawns_total, _worker_exits_total, _kills_total, _timeouts_total,
//   _slow_requests_total, _crash_loops_total, _reloads_total, _recycles_total,
//   _untracked_requests_total                      counters
//   fcgi_rejected_connections_total                counter (FCGI_ALLOWED_ADDRS refusals)
//   replica_lag_seconds                            gauge (newest worker measurement;
//                                                  none without a replica)
#pragma once

#include <cstdint>
#include <string>

#include "workers/server/scoreboard.h"
#include "workers/server/status.h"

namespace server {

// Requests finished by every worker that ever ran (the sum of http_requests_total).
uint64_t total_requests(const scoreboard::Scoreboard& board);

std::string render_metrics(const scoreboard::Scoreboard& board, const PoolView& view);

// A label value escaped for the exposition format (\\, \", \n).
std::string escape_label(std::string_view value);

}  // namespace server
