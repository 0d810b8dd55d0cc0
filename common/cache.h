// Cache-aside in Redis that is never staler than the last committed write and
// never a dependency.
//
// What is stored: an answer's exact bytes and its ETag (an `Entry`), under
//
//     cache:{epoch}:{version}:{name}
//
// where `version` is the integer at a *version key* (e.g. "cache:ver:catalog",
// "cache:ver:product:7") and `epoch` the integer at "cache:epoch". A missing
// key counts as 0. Entries expire after `ttl` (only to bound memory).
//
// Who invalidates when: every write that changes what an entry shows calls
// `invalidate(version keys)` after its transaction has committed. INCR moves
// each version on, so every later reader, in any process on any host, asks
// for a key that does not exist yet and loads from PostgreSQL.
//
// The slow-reader race: a reader reads epoch and version (one EVAL, together
// with the entry) *before* it loads from PostgreSQL, and stores under exactly
// the key it read. A reader that loaded before a write committed therefore
// stores under the old version, which nobody asks for after the INCR.
//
// Redis down or slow: every call waits at most `timeout`; a failed call makes
// this process skip Redis for `backoff` (the answer comes from PostgreSQL,
// outcome kBypass) instead of paying the timeout on every request, then it
// tries again by itself. An invalidation that could not be sent would leave a
// stale entry behind once Redis is back, so a failure of any call marks the
// epoch *owed* in `SharedState` (shared memory that every process of the host
// sees; a count of failures and the count the last epoch bump covered): the
// next process of the host that reaches Redis INCRs "cache:epoch" before it
// serves or stores anything, which orphans every entry stored before the
// outage, and one bump covers every failure counted before it. Another host
// that reaches Redis before this one does not know of the lost invalidation
// until then; `ttl` bounds that case.
//
// Stampede: on a miss, the reader takes "cache:lock:{key}" (SET NX PX, in the
// same EVAL as the lookup) and loads; the others poll for the entry for up to
// `lock_wait`, then load from PostgreSQL themselves. So one cold key read by
// many at once costs one query. A hit is one round trip, a miss two (lookup
// with lock; store with unlock).
//
// Read replicas: the cache also keeps the primary's WAL position of the last
// catalogue write it was told of, at "cache:wal" (common/wal_position.h). An
// invalidation moves it on (to the larger of the two) in the same EVAL as the
// version INCRs, from `set_commit_position`'s source, which the writer asks
// after its commit; without a source, or when the source cannot tell, the
// same EVAL deletes it, and so does the epoch bump that repairs lost
// invalidations. So a reader that read a version (lookup) and then
// `replay_target` gets a position at or past every write that version
// reflects, or nothing: a replica that has replayed that position answers as
// the primary would for that version; without one (nothing stored, Redis
// unusable, a lost invalidation not yet repaired) the reader uses the primary.
//
// A Cache belongs to one process and one thread: create it after fork().
// SharedState is created once, before fork(), by whoever forks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/redis.h"

namespace common::cache {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string url;                               // REDIS_URL; "" or "off": disabled
  std::chrono::milliseconds timeout{50};         // REDIS_TIMEOUT_MS, per call
  std::chrono::seconds ttl{300};                 // CACHE_TTL_S
  std::chrono::milliseconds lock_wait{200};      // how long a stampede waiter polls
  std::chrono::milliseconds backoff{1000};       // first skip after a failure
  std::chrono::milliseconds max_backoff{10000};  // doubling up to this
};

// Host-wide outage marker. `failures` counts failed calls; `settled` is the
// value of `failures` the last epoch bump covered. Lives in memory shared by
// the processes of one host (create_shared_state), or in a plain object when
// there is only one process.
struct SharedState {
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> settled{0};
};
// An anonymous MAP_SHARED mapping holding a SharedState, for the processes
// forked after the call; never unmapped (it lives as long as the master).
SharedState* create_shared_state();

struct Entry {
  std::string etag;
  std::string body;
};

enum class Outcome {
  kHit,     // served from Redis
  kStored,  // loaded from PostgreSQL and stored
  kBypass,  // loaded from PostgreSQL; Redis disabled, unreachable or skipped
};
const char* outcome_name(Outcome outcome);  // "hit" | "stored" | "bypass"

enum class Health { kDisabled, kReachable, kUnreachable };
const char* health_name(Health health);  // "disabled" | "reachable" | "unreachable"

class Cache {
 public:
  // Throws std::invalid_argument when `options.url` is set but malformed.
  // Connects lazily, on the first call.
  Cache(Options options, SharedState& shared);

  bool enabled() const { return address_.has_value(); }

  // The entry `name` under `version_key`'s current version: from Redis, or
  // from `load` (which may throw; nothing is stored then and the exception
  // propagates). `load` runs at most once per call.
  Entry read_through(std::string_view version_key, std::string_view name,
                     const std::function<Entry()>& load, Outcome& outcome);

  // After a commit: moves each version key on. Never throws; a failure marks
  // the epoch owed (see above).
  void invalidate(const std::vector<std::string>& version_keys);
  // Moves the epoch on: every entry stored so far is orphaned. For a write
  // that cannot tell which entries it changed.
  void invalidate_all();

  // PINGs Redis unless this process is backing off after a failure.
  Health health();

  // Where invalidate() gets the primary's WAL position after a commit
  // (nullopt: cannot tell). Unset, invalidate() clears the stored position.
  void set_commit_position(std::function<std::optional<uint64_t>()> source) {
    commit_position_ = std::move(source);
  }
  // The WAL position a replica must have replayed to answer for what the
  // versions read so far reflect; nullopt when unknown (see above). One GET.
  std::optional<uint64_t> replay_target();

 private:
  enum class Got { kHit, kMiss, kDown };
  // One EVAL: the key for `name` at the current epoch and version, and its
  // entry; on a miss it also tries the key's fill lock (`holder`).
  Got lookup(std::string_view version_key, std::string_view name, std::string& key, Entry& entry,
             bool& holder);
  Got get(const std::string& key, Entry& entry);
  // One EVAL: the entry, and the release of its fill lock when `unlock`.
  bool store(const std::string& key, const Entry& entry, bool unlock);
  // EVALSHA of `text` (args[1] is filled with its SHA; SCRIPT LOAD when not
  // known yet or forgotten by a restarted Redis). nullopt when Redis failed.
  std::optional<redis::Reply> script(const std::string& text, std::string& sha,
                                     std::vector<std::string_view> args);
  // Before anything is served: pays a debt of an epoch bump. False when Redis
  // cannot be used now.
  bool usable();
  void failed();

  Options options_;
  SharedState& shared_;
  std::optional<redis::Address> address_;
  std::optional<redis::RedisConnection> conn_;
  std::string lookup_sha_;
  std::string store_sha_;
  std::string bump_sha_;
  std::function<std::optional<uint64_t>()> commit_position_;
  Clock::time_point skip_until_{};
  std::chrono::milliseconds backoff_{0};
};

// Entry <-> the bytes stored in Redis ("{etag}\n{body}").
std::string encode(const Entry& entry);
std::optional<Entry> decode(std::string_view stored);

}  // namespace common::cache
