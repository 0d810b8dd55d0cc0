#include "common/cache.h"

#include <sys/mman.h>

#include <algorithm>
#include <new>
#include <stdexcept>
#include <thread>

#include "common/wal_position.h"

namespace common::cache {

namespace {

constexpr const char* kEpochKey = "cache:epoch";
// The primary's WAL position of the last catalogue write (see cache.h).
constexpr const char* kWalKey = "cache:wal";
constexpr auto kPollInterval = std::chrono::milliseconds(2);
// How long a fill lock outlives a loader that died holding it.
constexpr auto kLockTtl = std::chrono::milliseconds(5000);

// A version or epoch key that is missing (never set, or evicted by
// allkeys-lru) starts at Redis's clock in microseconds, never at 0: a value
// that no earlier INCR can have reached, so an entry stored under an older
// value of an evicted key is never found again.
constexpr const char* kCurrentFn = R"(
local function current(k)
  local v = redis.call('GET', k)
  if not v then
    local t = redis.call('TIME')
    v = t[1] .. string.format('%06d', tonumber(t[2]))
    redis.call('SET', k, v)
  end
  return v
end
)";

// KEYS[1] the epoch, KEYS[2] the version key; ARGV[1] the entry's name,
// ARGV[2] the fill lock's lifetime in ms. Returns {key, entry} on a hit; on a
// miss {key, nil, 1} when this caller now holds the key's fill lock, else
// {key, nil, 0}: one round trip either way.
const std::string kLookupScript = std::string(kCurrentFn) + R"(
local key = 'cache:' .. current(KEYS[1]) .. ':' .. current(KEYS[2]) .. ':' .. ARGV[1]
local entry = redis.call('GET', key)
if entry then return {key, entry} end
local locked = redis.call('SET', 'cache:lock:' .. key, '1', 'NX', 'PX', ARGV[2])
return {key, false, locked and 1 or 0}
)";

// KEYS[1] the entry's key; ARGV[1] the entry, ARGV[2] its TTL in seconds,
// ARGV[3] "1" to release the key's fill lock too.
const std::string kStoreScript = R"(
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if ARGV[3] == '1' then redis.call('DEL', 'cache:lock:' .. KEYS[1]) end
return 1
)";

// Moves every key of KEYS on (a missing one starts afresh, as above). ARGV[1]
// is the writer's WAL position (16 hex digits, compared as strings), stored
// at ARGV[2] when above what is there; "" deletes ARGV[2]: position unknown.
const std::string kBumpScript = std::string(kCurrentFn) + R"(
if ARGV[1] == '' then
  redis.call('DEL', ARGV[2])
else
  local old = redis.call('GET', ARGV[2])
  if not old or old < ARGV[1] then redis.call('SET', ARGV[2], ARGV[1]) end
end
for _, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then redis.call('INCR', k) else current(k) end
end
return #KEYS
)";

}  // namespace

SharedState* create_shared_state() {
  void* p = ::mmap(nullptr, sizeof(SharedState), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
  if (p == MAP_FAILED) throw std::runtime_error("cannot map the cache's shared state");
  return new (p) SharedState();
}

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kHit:
      return "hit";
    case Outcome::kStored:
      return "stored";
    case Outcome::kBypass:
      return "bypass";
  }
  return "bypass";
}

const char* health_name(Health health) {
  switch (health) {
    case Health::kDisabled:
      return "disabled";
    case Health::kReachable:
      return "reachable";
    case Health::kUnreachable:
      return "unreachable";
  }
  return "unreachable";
}

std::string encode(const Entry& entry) { return entry.etag + "\n" + entry.body; }

std::optional<Entry> decode(std::string_view stored) {
  const size_t nl = stored.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  return Entry{std::string(stored.substr(0, nl)), std::string(stored.substr(nl + 1))};
}

Cache::Cache(Options options, SharedState& shared) : options_(std::move(options)), shared_(shared) {
  if (options_.url.empty() || options_.url == "off") return;
  std::string error;
  address_ = redis::parse_redis_url(options_.url, error);
  if (!address_) throw std::invalid_argument("REDIS_URL " + error);
  conn_.emplace(*address_, options_.timeout);
}

void Cache::failed() {
  shared_.failures.fetch_add(1);
  conn_->close();
  backoff_ =
      backoff_.count() == 0 ? options_.backoff : std::min(2 * backoff_, options_.max_backoff);
  skip_until_ = Clock::now() + backoff_;
}

std::optional<redis::Reply> Cache::script(const std::string& text, std::string& sha,
                                          std::vector<std::string_view> args) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (sha.empty()) {
      auto loaded = conn_->command({"SCRIPT", "LOAD", text});
      if (!loaded || loaded->get().type != REDIS_REPLY_STRING) return std::nullopt;
      sha = std::string(loaded->str());
    }
    args[1] = sha;
    auto reply = conn_->command(args);
    if (!reply) return std::nullopt;
    // A restarted Redis has forgotten the script: load it again, once.
    if (reply->is_error() && reply->str().starts_with("NOSCRIPT")) {
      sha.clear();
      continue;
    }
    return reply;
  }
  return std::nullopt;
}

bool Cache::usable() {
  if (!enabled() || Clock::now() < skip_until_) return false;
  const uint64_t failures = shared_.failures.load();
  if (failures == shared_.settled.load()) return true;
  // The lost invalidations' WAL positions are unknown: "" clears the stored one.
  auto reply = script(kBumpScript, bump_sha_, {"EVALSHA", "", "1", kEpochKey, "", kWalKey});
  if (!reply || reply->is_error()) {
    failed();
    return false;
  }
  uint64_t settled = shared_.settled.load();
  while (settled < failures && !shared_.settled.compare_exchange_weak(settled, failures)) {
  }
  return true;
}

Cache::Got Cache::lookup(std::string_view version_key, std::string_view name, std::string& key,
                         Entry& entry, bool& holder) {
  static const std::string lock_ms = std::to_string(kLockTtl.count());
  auto reply = script(kLookupScript, lookup_sha_,
                      {"EVALSHA", "", "2", kEpochKey, version_key, name, lock_ms});
  if (!reply || reply->get().type != REDIS_REPLY_ARRAY || reply->get().elements < 2) {
    failed();
    return Got::kDown;
  }
  backoff_ = std::chrono::milliseconds(0);
  const redisReply& r = reply->get();
  key.assign(r.element[0]->str, r.element[0]->len);
  const redisReply* v = r.element[1];
  if (v->type == REDIS_REPLY_STRING) {
    if (auto decoded = decode({v->str, v->len})) {
      entry = std::move(*decoded);
      return Got::kHit;
    }
  }
  // A miss (or bytes that are not an entry, to be overwritten).
  holder =
      r.elements > 2 && r.element[2]->type == REDIS_REPLY_INTEGER && r.element[2]->integer == 1;
  return Got::kMiss;
}

Cache::Got Cache::get(const std::string& key, Entry& entry) {
  auto reply = conn_->command({"GET", key});
  if (!reply || reply->is_error()) {
    failed();
    return Got::kDown;
  }
  if (reply->get().type != REDIS_REPLY_STRING) return Got::kMiss;
  auto decoded = decode(reply->str());
  if (!decoded) return Got::kMiss;
  entry = std::move(*decoded);
  return Got::kHit;
}

bool Cache::store(const std::string& key, const Entry& entry, bool unlock) {
  const std::string ttl = std::to_string(options_.ttl.count());
  const std::string bytes = encode(entry);
  auto reply =
      script(kStoreScript, store_sha_, {"EVALSHA", "", "1", key, bytes, ttl, unlock ? "1" : "0"});
  if (!reply || reply->is_error()) {
    failed();
    return false;
  }
  return true;
}

Entry Cache::read_through(std::string_view version_key, std::string_view name,
                          const std::function<Entry()>& load, Outcome& outcome) {
  outcome = Outcome::kBypass;
  if (!usable()) return load();
  std::string key;
  Entry entry;
  bool holder = false;
  switch (lookup(version_key, name, key, entry, holder)) {
    case Got::kHit:
      outcome = Outcome::kHit;
      return entry;
    case Got::kDown:
      return load();
    case Got::kMiss:
      break;
  }

  if (!holder) {
    // Another process is loading this key: wait for its entry, a little.
    const auto deadline = Clock::now() + options_.lock_wait;
    while (Clock::now() < deadline) {
      std::this_thread::sleep_for(kPollInterval);
      const Got got = get(key, entry);
      if (got == Got::kHit) {
        outcome = Outcome::kHit;
        return entry;
      }
      if (got == Got::kDown) return load();
    }
  }

  try {
    entry = load();
  } catch (...) {
    if (holder) (void)conn_->command({"DEL", "cache:lock:" + key});
    throw;
  }
  if (store(key, entry, holder)) outcome = Outcome::kStored;
  return entry;
}

void Cache::invalidate(const std::vector<std::string>& version_keys) {
  if (!enabled() || version_keys.empty()) return;
  if (Clock::now() < skip_until_) {
    // Redis is being skipped: this invalidation is lost, so the epoch is owed.
    shared_.failures.fetch_add(1);
    return;
  }
  std::string position;
  if (commit_position_) {
    if (const auto p = commit_position_()) position = wal::to_key(*p);
  }
  const std::string count = std::to_string(version_keys.size());
  std::vector<std::string_view> args{"EVALSHA", "", count};
  for (const auto& k : version_keys) args.push_back(k);
  args.push_back(position);
  args.push_back(kWalKey);
  auto reply = script(kBumpScript, bump_sha_, args);
  if (!reply || reply->is_error()) failed();
}

std::optional<uint64_t> Cache::replay_target() {
  if (!enabled() || Clock::now() < skip_until_) return std::nullopt;
  // A lost invalidation not repaired yet: its position is in no one's hands.
  if (shared_.failures.load() != shared_.settled.load()) return std::nullopt;
  auto reply = conn_->command({"GET", kWalKey});
  if (!reply || reply->is_error()) {
    failed();
    return std::nullopt;
  }
  if (reply->get().type != REDIS_REPLY_STRING) return std::nullopt;
  return wal::from_key(reply->str());
}

void Cache::invalidate_all() { invalidate({kEpochKey}); }

Health Cache::health() {
  if (!enabled()) return Health::kDisabled;
  if (Clock::now() < skip_until_) return Health::kUnreachable;
  auto reply = conn_->command({"PING"});
  if (!reply || reply->is_error()) {
    failed();
    return Health::kUnreachable;
  }
  return Health::kReachable;
}

}  // namespace common::cache
