#include "workers/server/scoreboard.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <new>
#include <stdexcept>

#include "common/http.h"
#include "workers/jobs/job_kinds.h"

namespace server::scoreboard {

namespace {

constexpr uint32_t kMagic = 0x53434f52;  // "SCOR"

static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(std::atomic<int64_t>::is_always_lock_free);
static_assert(std::atomic<uint32_t>::is_always_lock_free);
static_assert(std::atomic<uint8_t>::is_always_lock_free);

constexpr auto kRelaxed = std::memory_order_relaxed;

size_t header_bytes() {
  return (sizeof(Header) + alignof(Slot) - 1) / alignof(Slot) * alignof(Slot);
}

void copy_field(char* dst, size_t size, std::string_view value) {
  const size_t n = std::min(value.size(), size - 1);
  std::memcpy(dst, value.data(), n);
  dst[n] = '\0';
}

// The key of a request series as one hash. A 0xff byte, which no method or
// route holds, separates the parts.
uint64_t series_hash(std::string_view method, std::string_view route, int status) {
  constexpr std::string_view kSeparator("\xff", 1);
  uint64_t h = common::fnv1a64(method);
  h = common::fnv1a64(kSeparator, h);
  h = common::fnv1a64(route, h);
  h = common::fnv1a64(kSeparator, h);
  const char code[2] = {static_cast<char>((status >> 8) & 0xff), static_cast<char>(status & 0xff)};
  return common::fnv1a64(std::string_view(code, sizeof code), h);
}

bool same(const char* field, size_t size, std::string_view value) {
  const size_t n = std::min(value.size(), size - 1);
  return std::strncmp(field, value.data(), n) == 0 && field[n] == '\0';
}

RequestSeries* find_series(SlotMetrics& m, std::string_view method, std::string_view route,
                           int status) {
  const size_t start = series_hash(method, route, status) % kCounterEntries;
  for (size_t probe = 0; probe < kCounterEntries; ++probe) {
    RequestSeries& e = m.requests[(start + probe) % kCounterEntries];
    if (e.used.load(std::memory_order_acquire) == 0) {
      e.status = static_cast<uint16_t>(status);
      copy_field(e.method, sizeof e.method, method);
      copy_field(e.route, sizeof e.route, route);
      e.used.store(1, std::memory_order_release);
      return &e;
    }
    if (e.status == status && same(e.method, sizeof e.method, method) &&
        same(e.route, sizeof e.route, route)) {
      return &e;
    }
  }
  return nullptr;
}

RouteSeries* find_route(SlotMetrics& m, std::string_view route) {
  const size_t start = common::fnv1a64(route) % kRouteEntries;
  for (size_t probe = 0; probe < kRouteEntries; ++probe) {
    RouteSeries& e = m.routes[(start + probe) % kRouteEntries];
    if (e.used.load(std::memory_order_acquire) == 0) {
      copy_field(e.route, sizeof e.route, route);
      e.used.store(1, std::memory_order_release);
      return &e;
    }
    if (same(e.route, sizeof e.route, route)) return &e;
  }
  return nullptr;
}

}  // namespace

std::string_view method_label(std::string_view method) {
  static constexpr std::string_view kStandard[] = {"GET",    "HEAD",    "POST",    "PUT",  "PATCH",
                                                   "DELETE", "OPTIONS", "CONNECT", "TRACE"};
  for (const std::string_view known : kStandard) {
    if (method == known) return known;
  }
  return "OTHER";
}

const char* state_name(WorkerState state) {
  switch (state) {
    case WorkerState::kEmpty:
      return "empty";
    case WorkerState::kStarting:
      return "starting";
    case WorkerState::kIdle:
      return "idle";
    case WorkerState::kBusy:
      return "busy";
    case WorkerState::kDraining:
      return "draining";
  }
  return "empty";
}

const char* db_state_name(DbState state) {
  switch (state) {
    case DbState::kUnknown:
      return "unknown";
    case DbState::kConnected:
      return "connected";
    case DbState::kDown:
      return "down";
  }
  return "unknown";
}

int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t wall_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void observe(Histogram& h, int64_t duration_us) {
  const double seconds = static_cast<double>(std::max<int64_t>(duration_us, 0)) / 1e6;
  size_t bucket = 0;
  while (bucket < kBucketBounds.size() && seconds > kBucketBounds[bucket]) ++bucket;
  bump(h.buckets[bucket]);
  bump(h.count);
  bump(h.sum_us, static_cast<uint64_t>(std::max<int64_t>(duration_us, 0)));
}

// --- Scoreboard --------------------------------------------------------------

size_t Scoreboard::region_bytes(int capacity) {
  return header_bytes() + sizeof(Slot) * static_cast<size_t>(capacity);
}

Scoreboard::Scoreboard(int capacity) {
  if (capacity <= 0) throw std::invalid_argument("scoreboard capacity must be positive");
  bytes_ = region_bytes(capacity);
  region_ = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (region_ == MAP_FAILED) {
    region_ = nullptr;
    throw std::runtime_error(std::string("scoreboard mmap: ") + std::strerror(errno));
  }
  // The pages are zero: a valid initial value for every field. Placement-new
  // starts the objects' lifetimes without writing anything else.
  header_ = new (region_) Header;
  header_->magic = kMagic;
  header_->capacity = static_cast<uint32_t>(capacity);
  slots_ = reinterpret_cast<Slot*>(static_cast<char*>(region_) + header_bytes());
  for (int i = 0; i < capacity; ++i) new (&slots_[i]) Slot;
}

Scoreboard::~Scoreboard() {
  if (region_ != nullptr) ::munmap(region_, bytes_);
}

int Scoreboard::free_slot() const {
  for (int i = 0; i < capacity(); ++i) {
    if (slots_[i].state.load(std::memory_order_acquire) ==
        static_cast<uint8_t>(WorkerState::kEmpty)) {
      return i;
    }
  }
  return -1;
}

void Scoreboard::prepare_slot(int i, uint32_t generation, uint8_t role) {
  Slot& s = slots_[i];
  s.pid.store(0, kRelaxed);
  s.role.store(role, kRelaxed);
  s.generation.store(generation, kRelaxed);
  s.db_state.store(static_cast<uint8_t>(DbState::kUnknown), kRelaxed);
  s.recycle.store(0, kRelaxed);
  s.started_at_ms.store(wall_ms(), kRelaxed);
  s.requests.store(0, kRelaxed);
  s.request_start_ns.store(0, kRelaxed);
  s.idle_since_ns.store(monotonic_ns(), kRelaxed);
  s.last_duration_us.store(0, kRelaxed);
  s.rss_bytes.store(0, kRelaxed);
  s.db_backend_pid.store(0, kRelaxed);
  s.statement_start_ns.store(0, kRelaxed);
  s.text_seq.store(s.text_seq.load(kRelaxed) + 1, kRelaxed);
  std::atomic_thread_fence(std::memory_order_release);
  s.method[0] = s.uri[0] = s.statement[0] = s.sql[0] = '\0';
  std::atomic_thread_fence(std::memory_order_release);
  s.text_seq.store(s.text_seq.load(kRelaxed) + 1, std::memory_order_release);
  s.state.store(static_cast<uint8_t>(WorkerState::kStarting), std::memory_order_release);
}

void Scoreboard::release_slot(int i) {
  Slot& s = slots_[i];
  s.pid.store(0, kRelaxed);
  s.request_start_ns.store(0, kRelaxed);
  s.state.store(static_cast<uint8_t>(WorkerState::kEmpty), std::memory_order_release);
}

SlotView read_slot(const Scoreboard& board, int i) {
  const Slot& s = board.slot(i);
  SlotView v;
  v.index = i;
  v.state = static_cast<WorkerState>(s.state.load(std::memory_order_acquire));
  v.pid = s.pid.load(kRelaxed);
  v.role = s.role.load(kRelaxed);
  v.generation = s.generation.load(kRelaxed);
  v.db_state = static_cast<DbState>(s.db_state.load(kRelaxed));
  v.recycle = static_cast<RecycleReason>(s.recycle.load(kRelaxed));
  v.started_at_ms = s.started_at_ms.load(kRelaxed);
  v.requests = s.requests.load(kRelaxed);
  v.request_start_ns = s.request_start_ns.load(kRelaxed);
  v.idle_since_ns = s.idle_since_ns.load(kRelaxed);
  v.last_duration_us = s.last_duration_us.load(kRelaxed);
  v.rss_bytes = s.rss_bytes.load(kRelaxed);
  v.db_backend_pid = s.db_backend_pid.load(kRelaxed);
  v.statement_start_ns = s.statement_start_ns.load(kRelaxed);
  // Sequence lock: copy, then check nothing was being written meanwhile. A
  // worker killed mid-write leaves the sequence odd; after a few tries the
  // text is given up as empty rather than spinning.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const uint32_t before = s.text_seq.load(std::memory_order_acquire);
    if (before % 2 != 0) continue;
    char method[kMethodLen], uri[kUriLen], statement[kStatementLen], sql[kSqlLen];
    std::memcpy(method, s.method, sizeof method);
    std::memcpy(uri, s.uri, sizeof uri);
    std::memcpy(statement, s.statement, sizeof statement);
    std::memcpy(sql, s.sql, sizeof sql);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.text_seq.load(kRelaxed) != before) continue;
    method[kMethodLen - 1] = uri[kUriLen - 1] = statement[kStatementLen - 1] = sql[kSqlLen - 1] =
        '\0';
    v.method = method;
    v.uri = uri;
    v.statement = statement;
    v.sql = sql;
    break;
  }
  return v;
}

// --- SlotWriter ----------------------------------------------------------------

void SlotWriter::set_state(WorkerState state) {
  if (state == WorkerState::kIdle) s_.idle_since_ns.store(monotonic_ns(), kRelaxed);
  s_.state.store(static_cast<uint8_t>(state), std::memory_order_release);
}

void SlotWriter::set_db(DbState state, int32_t backend_pid) {
  s_.db_backend_pid.store(backend_pid, kRelaxed);
  s_.db_state.store(static_cast<uint8_t>(state), kRelaxed);
}

void SlotWriter::set_rss(int64_t bytes) { s_.rss_bytes.store(bytes, kRelaxed); }

void SlotWriter::request_recycle(RecycleReason reason) {
  if (s_.recycle.load(kRelaxed) == 0) s_.recycle.store(static_cast<uint8_t>(reason), kRelaxed);
}

RecycleReason SlotWriter::recycle_requested() const {
  return static_cast<RecycleReason>(s_.recycle.load(kRelaxed));
}

uint64_t SlotWriter::requests() const { return s_.requests.load(kRelaxed); }

void SlotWriter::write_text(char* field, size_t size, std::string_view value) {
  copy_field(field, size, value);
}

void SlotWriter::begin_request(std::string_view method, std::string_view uri) {
  s_.text_seq.store(s_.text_seq.load(kRelaxed) + 1, kRelaxed);
  std::atomic_thread_fence(std::memory_order_release);
  write_text(s_.method, sizeof s_.method, method);
  write_text(s_.uri, sizeof s_.uri, uri);
  s_.statement[0] = s_.sql[0] = '\0';
  std::atomic_thread_fence(std::memory_order_release);
  s_.text_seq.store(s_.text_seq.load(kRelaxed) + 1, std::memory_order_release);
  s_.request_start_ns.store(monotonic_ns(), kRelaxed);
  s_.state.store(static_cast<uint8_t>(WorkerState::kBusy), std::memory_order_release);
}

void SlotWriter::end_request(std::string_view method, std::string_view route, int status,
                             int64_t duration_us) {
  SlotMetrics& m = s_.metrics;
  if (RequestSeries* series = find_series(m, method_label(method), route, status)) {
    bump(series->count);
  } else {
    bump(m.untracked_requests);
  }
  if (RouteSeries* r = find_route(m, route)) observe(r->duration, duration_us);
  s_.last_duration_us.store(duration_us, kRelaxed);
  bump(s_.requests);
  s_.request_start_ns.store(0, kRelaxed);
  s_.statement_start_ns.store(0, kRelaxed);
  set_state(WorkerState::kIdle);
}

void SlotWriter::begin_statement(std::string_view name, std::string_view sql) {
  s_.text_seq.store(s_.text_seq.load(kRelaxed) + 1, kRelaxed);
  std::atomic_thread_fence(std::memory_order_release);
  write_text(s_.statement, sizeof s_.statement, name);
  write_text(s_.sql, sizeof s_.sql, sql);
  std::atomic_thread_fence(std::memory_order_release);
  s_.text_seq.store(s_.text_seq.load(kRelaxed) + 1, std::memory_order_release);
  s_.statement_start_ns.store(monotonic_ns(), kRelaxed);
}

void SlotWriter::end_statement(int64_t duration_us) {
  s_.statement_start_ns.store(0, kRelaxed);
  observe(s_.metrics.db_query, duration_us);
}

void SlotWriter::count_rejected_connection() { bump(s_.metrics.rejected_connections); }

void SlotWriter::set_replica_lag(std::optional<double> seconds) {
  s_.metrics.replica_lag_ms.store(seconds ? static_cast<int64_t>(*seconds * 1000.0) : -1, kRelaxed);
  s_.metrics.replica_lag_at_ms.store(wall_ms(), kRelaxed);
}

void SlotWriter::count_cache(CacheResult result) {
  bump(s_.metrics.cache[static_cast<size_t>(result)]);
}

void SlotWriter::begin_job(std::string_view kind, int64_t job_id) {
  begin_request("JOB", std::string(kind) + " #" + std::to_string(job_id));
}

void SlotWriter::end_job(int queue, JobResult result, int64_t duration_us) {
  if (queue >= 0 && static_cast<size_t>(queue) < kJobQueues) {
    SlotMetrics& m = s_.metrics;
    bump(m.jobs[static_cast<size_t>(queue)][static_cast<size_t>(result)]);
    observe(m.job_duration[static_cast<size_t>(queue)], duration_us);
  }
  s_.last_duration_us.store(duration_us, kRelaxed);
  bump(s_.requests);
  s_.request_start_ns.store(0, kRelaxed);
  s_.statement_start_ns.store(0, kRelaxed);
  set_state(WorkerState::kIdle);
}

namespace {
constexpr std::array<const char*, kJobQueues> kJobQueueNames = {
    jobs::kQueueEmail, jobs::kQueueOrders, jobs::kQueueInventory};
}  // namespace

const char* job_queue_name(size_t index) {
  return index < kJobQueueNames.size() ? kJobQueueNames[index] : nullptr;
}

int job_queue_index(std::string_view queue) {
  for (size_t i = 0; i < kJobQueueNames.size(); ++i) {
    if (queue == kJobQueueNames[i]) return static_cast<int>(i);
  }
  return -1;
}

const char* job_result_name(JobResult result) {
  switch (result) {
    case JobResult::kDone:
      return "done";
    case JobResult::kRetry:
      return "retry";
    case JobResult::kDead:
      return "dead";
  }
  return "done";
}

const char* cache_result_name(CacheResult result) {
  switch (result) {
    case CacheResult::kHit:
      return "hit";
    case CacheResult::kMiss:
      return "miss";
    case CacheResult::kError:
      return "error";
  }
  return "error";
}

}  // namespace server::scoreboard
