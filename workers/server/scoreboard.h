// The pool's scoreboard: ONE shared-memory region (MAP_SHARED | MAP_ANONYMOUS)
// made by the master before it forks anything, inherited by every worker.
//
//   Header  pool-wide facts and counters, written by the master, except the
//           cache's shared state (every worker) and the job queue's gauges
//           (the job runners).
//   Slot[i] one per supervised child (a worker, or any other role the master
//           runs, workers/server/child.h). The master prepares a slot before
//           fork() (pid, role, generation, started_at, state=starting) and frees
//           it after reaping; between the two only the child that owns it
//           writes it.
//
// A slot has two parts:
//   - occupant fields (state, requests, current request, RSS, database), reset
//     for each new worker;
//   - metrics (request counters and histograms), which are NEVER reset: a new
//     worker in a slot keeps adding to what the previous occupants counted, so
//     a sum over all slots is monotonic across worker replacement with no
//     folding step and no lock.
//
// Every numeric field is a lock-free std::atomic. Each has one writer, so
// writers use load + store (no locked instructions); readers may run in any
// process at any time. The text fields (method, URI, SQL) are published under a
// per-slot sequence lock: readers retry until they see an even, unchanged
// sequence number.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/cache.h"

namespace server::scoreboard {

enum class WorkerState : uint8_t { kEmpty = 0, kStarting, kIdle, kBusy, kDraining };
enum class DbState : uint8_t { kUnknown = 0, kConnected, kDown };
// Why a worker asked the master to replace it (written by the worker).
enum class RecycleReason : uint8_t { kNone = 0, kMaxRequests, kMaxRss };

const char* state_name(WorkerState state);  // "starting", "idle", ...
const char* db_state_name(DbState state);   // "unknown", "connected", "down"

// The `method` label of a request series: the method itself when it is one of
// GET HEAD POST PUT PATCH DELETE OPTIONS CONNECT TRACE (exact, upper case),
// else "OTHER", so that no client can add series by making methods up.
std::string_view method_label(std::string_view method);

// Prometheus' default buckets, in seconds; a last implicit +Inf bucket follows.
inline constexpr std::array<double, 11> kBucketBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                         0.5,   1,    2.5,   5,    10};
inline constexpr size_t kBuckets = kBucketBounds.size() + 1;

inline constexpr size_t kRouteLen = 96;   // route pattern, truncated
inline constexpr size_t kMethodLen = 12;  // "OPTIONS" fits
inline constexpr size_t kUriLen = 256;
inline constexpr size_t kStatementLen = 64;
inline constexpr size_t kSqlLen = 512;
inline constexpr size_t kCounterEntries = 256;  // (route, method, status) series per slot
inline constexpr size_t kRouteEntries = 64;     // routes with a duration histogram per slot

using Counter = std::atomic<uint64_t>;

// Adds to a counter that has one writer: a load and a store, no locked
// instruction. Only the counter's single writer may call it.
inline void bump(Counter& counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

// Non-cumulative per-bucket counts (rendering accumulates), plus count and sum.
struct Histogram {
  std::array<Counter, kBuckets> buckets;
  Counter count;
  Counter sum_us;
};

struct RequestSeries {
  std::atomic<uint32_t> used;  // set (release) after the key below is written
  uint16_t status;
  char method[kMethodLen];
  char route[kRouteLen];
  Counter count;
};

struct RouteSeries {
  std::atomic<uint32_t> used;
  char route[kRouteLen];
  Histogram duration;
};

// The catalogue cache's answer to one lookup, as /metrics counts it.
enum class CacheResult : uint8_t { kHit = 0, kMiss, kError };
inline constexpr size_t kCacheResults = 3;
const char* cache_result_name(CacheResult result);  // "hit", "miss", "error"

// The job queues (workers/jobs/job_kinds.h) and how a run of a job ended, as
// /metrics counts them (jobs_total{queue,result}, job_duration_seconds{queue}).
inline constexpr size_t kJobQueues = 3;
// "email", "orders", "inventory" for 0..2; nullptr past the end.
const char* job_queue_name(size_t index);
// The index of a queue's name, or -1 for a name the table does not allow.
int job_queue_index(std::string_view queue);
enum class JobResult : uint8_t { kDone = 0, kRetry, kDead };
inline constexpr size_t kJobResults = 3;
const char* job_result_name(JobResult result);  // "done", "retry", "dead"

struct SlotMetrics {
  std::array<RequestSeries, kCounterEntries> requests;
  std::array<RouteSeries, kRouteEntries> routes;
  Histogram db_query;
  std::array<Counter, kCacheResults> cache;  // indexed by CacheResult
  Counter untracked_requests;                // a series table was full (never expected)
  // Job runners: runs by queue and result, and their durations by queue.
  std::array<std::array<Counter, kJobResults>, kJobQueues> jobs;
  std::array<Histogram, kJobQueues> job_duration;
  Counter rejected_connections;  // peers not in FCGI_ALLOWED_ADDRS, closed at accept
  // The read replica's lag as this slot's worker last measured it (ms), and
  // when (wall ms); -1 / 0 when it has none.
  std::atomic<int64_t> replica_lag_ms;
  std::atomic<int64_t> replica_lag_at_ms;
};

struct Slot {
  // --- occupant (reset by the master before each fork) ---
  std::atomic<int32_t> pid;
  std::atomic<uint8_t> role;                // the child's role id (workers/server/child.h)
  std::atomic<uint32_t> generation;         // the pool generation (reloads) it was forked in
  std::atomic<uint8_t> state;               // WorkerState
  std::atomic<uint8_t> db_state;            // DbState
  std::atomic<uint8_t> recycle;             // RecycleReason, set once by the worker
  std::atomic<int64_t> started_at_ms;       // wall clock (ms since the epoch)
  std::atomic<uint64_t> requests;           // served by this occupant
  std::atomic<int64_t> request_start_ns;    // CLOCK_MONOTONIC; 0 between requests
  std::atomic<int64_t> idle_since_ns;       // CLOCK_MONOTONIC; when it last became idle
  std::atomic<int64_t> last_duration_us;    // of the last finished request
  std::atomic<int64_t> rss_bytes;           // sampled between requests
  std::atomic<int32_t> db_backend_pid;      // PostgreSQL backend of its connection; 0 = none
  std::atomic<int64_t> statement_start_ns;  // 0 when no statement runs
  // Text, under `text_seq` (odd while being written).
  std::atomic<uint32_t> text_seq;
  char method[kMethodLen];
  char uri[kUriLen];
  char statement[kStatementLen];
  char sql[kSqlLen];
  // --- metrics (cumulative over every occupant of the slot) ---
  SlotMetrics metrics;
};

struct Header {
  uint32_t magic;
  uint32_t capacity;  // number of slots
  std::atomic<int32_t> master_pid;
  std::atomic<int64_t> started_at_ms;
  std::atomic<uint32_t> generation;  // bumped by every accepted reload
  // Pool counters (monotonic) and gauges, written by the master.
  Counter spawns;
  Counter kills;          // workers the master had to SIGKILL
  Counter timeouts;       // requests past REQUEST_TIMEOUT_S
  Counter slow_requests;  // requests past REQUEST_SLOW_MS
  Counter crash_loops;    // times start-up crashes put spawning on hold
  Counter reloads;
  Counter recycles;  // MAX_REQUESTS / MAX_RSS_MB replacements
  Counter worker_exits;
  std::atomic<int64_t> listen_queue;      // -1 when it cannot be measured
  std::atomic<int64_t> backoff_ms;        // current crash backoff; 0 = none
  std::atomic<int64_t> backoff_until_ms;  // wall clock; spawning waits until then
  // The one field every worker writes: the catalogue cache's host-wide record
  // of Redis failures (common/cache.h), so that an invalidation one worker
  // lost is repaired before any other worker serves from the cache again.
  common::cache::SharedState cache;
  // The queue as the job runners last counted it in PostgreSQL (every host's
  // jobs), at most once a second: a snapshot any runner may overwrite whole
  // (last writer wins), since the master keeps no database connection.
  // jobs_counted_at_ms is 0 until a runner has counted.
  std::array<std::atomic<int64_t>, kJobQueues> jobs_queued;
  std::atomic<int64_t> jobs_running;
  std::atomic<int64_t> jobs_dead;
  std::atomic<int64_t> jobs_counted_at_ms;
  // Variants the last stock reconciliation found out of balance (the gauge
  // stock_drift_variants), set by the runner that ran it.
  std::atomic<int64_t> stock_drift_variants;
};

// A consistent copy of a slot's occupant fields.
struct SlotView {
  int index = 0;
  pid_t pid = 0;
  uint8_t role = 0;
  uint32_t generation = 0;
  WorkerState state = WorkerState::kEmpty;
  DbState db_state = DbState::kUnknown;
  RecycleReason recycle = RecycleReason::kNone;
  int64_t started_at_ms = 0;
  uint64_t requests = 0;
  int64_t request_start_ns = 0;
  int64_t idle_since_ns = 0;
  int64_t last_duration_us = 0;
  int64_t rss_bytes = 0;
  int32_t db_backend_pid = 0;
  int64_t statement_start_ns = 0;
  std::string method, uri, statement, sql;
};

// CLOCK_MONOTONIC in ns (the same clock in every process) and wall ms.
int64_t monotonic_ns();
int64_t wall_ms();

// Owns the mapping. Made once by the master; workers use the inherited copy
// through the same object (fork() duplicates the pointer, not the memory).
class Scoreboard {
 public:
  // Maps a zeroed region with `capacity` slots. Throws std::runtime_error when
  // mmap fails.
  explicit Scoreboard(int capacity);
  ~Scoreboard();
  Scoreboard(const Scoreboard&) = delete;
  Scoreboard& operator=(const Scoreboard&) = delete;

  int capacity() const { return static_cast<int>(header_->capacity); }
  Header& header() { return *header_; }
  const Header& header() const { return *header_; }
  Slot& slot(int i) { return slots_[i]; }
  const Slot& slot(int i) const { return slots_[i]; }

  // Master: the lowest empty slot, or -1 when every slot is taken.
  int free_slot() const;
  // Master, before fork(): resets the occupant fields (not the metrics),
  // records the occupant's role and marks the slot starting.
  void prepare_slot(int i, uint32_t generation, uint8_t role = 0);
  // Master, after reaping its worker.
  void release_slot(int i);

  static size_t region_bytes(int capacity);

 private:
  void* region_ = nullptr;
  size_t bytes_ = 0;
  Header* header_ = nullptr;
  Slot* slots_ = nullptr;
};

// Any process: a torn-free copy of slot i's occupant fields.
SlotView read_slot(const Scoreboard& board, int i);

// The worker's handle on its own slot: the only code that writes it.
class SlotWriter {
 public:
  explicit SlotWriter(Slot& slot) : s_(slot) {}
  void set_state(WorkerState state);
  void set_db(DbState state, int32_t backend_pid);
  void set_rss(int64_t bytes);
  void request_recycle(RecycleReason reason);
  RecycleReason recycle_requested() const;
  uint64_t requests() const;

  // Marks the slot busy with this request (method, URI truncated to fit).
  void begin_request(std::string_view method, std::string_view uri);
  // Marks it idle and counts the request in the slot's metrics, under
  // method_label(method).
  void end_request(std::string_view method, std::string_view route, int status,
                   int64_t duration_us);

  void begin_statement(std::string_view name, std::string_view sql);
  void end_statement(int64_t duration_us);

  void count_cache(CacheResult result);
  // A FastCGI connection closed at accept (peer not in FCGI_ALLOWED_ADDRS).
  void count_rejected_connection();
  // The read replica's lag as last measured (nullopt: unknown now).
  void set_replica_lag(std::optional<double> seconds);

  // A job runner: marks the slot busy with a job (shown in /status as method
  // "JOB" and "<kind> #<id>"), then counts the run by queue (a queue index,
  // job_queue_index) and result, and marks it idle. Never counted as a request.
  void begin_job(std::string_view kind, int64_t job_id);
  void end_job(int queue, JobResult result, int64_t duration_us);

 private:
  void write_text(char* field, size_t size, std::string_view value);
  Slot& s_;
};

// Adds one observation (microseconds) to a single-writer histogram.
void observe(Histogram& h, int64_t duration_us);

}  // namespace server::scoreboard
