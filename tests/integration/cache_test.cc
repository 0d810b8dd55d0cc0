// The cache against a real redis-server that each test starts (and kills) itself.
// The "database" is a value in the test; a loader counts how often it is asked.
#include "common/cache.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/redis_server.h"

namespace {

using common::cache::Cache;
using common::cache::Entry;
using common::cache::Health;
using common::cache::Outcome;
using common::cache::SharedState;
using namespace std::chrono_literals;

constexpr const char* kVersion = "cache:ver:product:7";
constexpr const char* kName = "product:7";

common::cache::Options options_for(const test_support::RedisServer& redis) {
  common::cache::Options o;
  o.url = redis.url();
  o.timeout = 100ms;
  o.backoff = 50ms;
  o.max_backoff = 50ms;
  o.lock_wait = 3000ms;
  return o;
}

// A row in "PostgreSQL" and a loader that counts its queries.
struct Source {
  std::string value = "v1";
  std::atomic<int> loads{0};
  Entry load() {
    ++loads;
    return Entry{"\"" + value + "\"", "{\"title\":\"" + value + "\"}"};
  }
};

std::string read(Cache& cache, Source& source, Outcome* outcome = nullptr) {
  Outcome o{};
  auto e = cache.read_through(
      kVersion, kName, [&] { return source.load(); }, o);
  if (outcome) *outcome = o;
  return e.body;
}

void wait_past_backoff() { std::this_thread::sleep_for(80ms); }

}  // namespace

TEST_CASE("a read after a miss is a hit with the same bytes", "[cache][integration]") {
  test_support::RedisServer redis;
  SharedState shared;
  Cache cache(options_for(redis), shared);
  Source db;
  Outcome first{}, second{};
  const std::string a = read(cache, db, &first);
  const std::string b = read(cache, db, &second);
  CHECK(first == Outcome::kStored);
  CHECK(second == Outcome::kHit);
  CHECK(a == b);
  CHECK(db.loads == 1);
  CHECK(cache.health() == Health::kReachable);
}

TEST_CASE("an invalidation after commit reaches every process's next read",
          "[cache][integration]") {
  test_support::RedisServer redis;
  SharedState shared;
  Cache reader(options_for(redis), shared);
  Cache writer(options_for(redis), shared);
  Source db;
  read(reader, db);
  db.value = "v2";                // the write commits ...
  writer.invalidate({kVersion});  // ... then invalidates
  Outcome o{};
  CHECK(read(reader, db, &o) == "{\"title\":\"v2\"}");
  CHECK(o == Outcome::kStored);
  CHECK(read(reader, db, &o) == "{\"title\":\"v2\"}");
  CHECK(o == Outcome::kHit);
}

TEST_CASE("a slow reader cannot store an answer older than a committed write",
          "[cache][integration]") {
  test_support::RedisServer redis;
  SharedState shared;
  Cache slow(options_for(redis), shared);
  Cache writer(options_for(redis), shared);
  Cache later(options_for(redis), shared);
  Source db;
  // The slow reader has read the version and fetched "v1" from PostgreSQL; before it
  // stores, a write commits and invalidates. Forced in this order by the loader.
  Outcome o{};
  auto stale = slow.read_through(
      kVersion, kName,
      [&] {
        Entry before = db.load();
        db.value = "v2";
        writer.invalidate({kVersion});
        return before;
      },
      o);
  CHECK(stale.body == "{\"title\":\"v1\"}");  // what it read before the commit
  CHECK(o == Outcome::kStored);
  // Every later read sees the write, never the slow reader's entry.
  CHECK(read(later, db) == "{\"title\":\"v2\"}");
  CHECK(read(slow, db) == "{\"title\":\"v2\"}");
  CHECK(read(later, db, &o) == "{\"title\":\"v2\"}");
  CHECK(o == Outcome::kHit);
}

TEST_CASE("many cold reads of one key cost one query", "[cache][integration]") {
  test_support::RedisServer redis;
  SharedState shared;
  Source db;
  constexpr int kReaders = 16;
  std::vector<std::unique_ptr<Cache>> caches;
  for (int i = 0; i < kReaders; ++i)
    caches.push_back(std::make_unique<Cache>(options_for(redis), shared));
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::string> bodies(kReaders);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReaders; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (!go) std::this_thread::yield();
      Outcome o{};
      bodies[i] = caches[i]
                      ->read_through(
                          kVersion, kName,
                          [&] {
                            std::this_thread::sleep_for(
                                200ms);  // a query slow enough for everyone to pile up
                            return db.load();
                          },
                          o)
                      .body;
    });
  }
  while (ready < kReaders) std::this_thread::yield();
  go = true;
  for (auto& t : threads) t.join();
  CHECK(db.loads == 1);
  for (const auto& b : bodies) CHECK(b == "{\"title\":\"v1\"}");
}

TEST_CASE("reads stay correct while Redis is killed and hits resume after it restarts",
          "[cache][integration]") {
  test_support::RedisServer redis;
  SharedState shared;
  Cache cache(options_for(redis), shared);
  Source db;
  read(cache, db);
  redis.kill();
  Outcome o{};
  for (int i = 0; i < 5; ++i) {
    const auto started = std::chrono::steady_clock::now();
    CHECK(read(cache, db, &o) == "{\"title\":\"v1\"}");
    CHECK(o == Outcome::kBypass);
    CHECK(std::chrono::steady_clock::now() - started < 1s);  // bounded, never a hang
  }
  CHECK(cache.health() == Health::kUnreachable);
  db.value = "v2";
  cache.invalidate({kVersion});  // lost: Redis is down
  redis.start();
  wait_past_backoff();
  CHECK(read(cache, db, &o) == "{\"title\":\"v2\"}");
  CHECK(o == Outcome::kStored);
  CHECK(read(cache, db, &o) == "{\"title\":\"v2\"}");
  CHECK(o == Outcome::kHit);
  CHECK(cache.health() == Health::kReachable);
}

TEST_CASE("an invalidation lost in an outage does not serve stale data after it",
          "[cache][integration]") {
  // Redis stops answering (but keeps its data); the writer notices and backs
  // off, so its invalidation after the next commit is never sent. Once Redis
  // answers again, neither another process of the host nor the writer itself
  // may serve the entry from before the write.
  test_support::RedisServer redis;
  SharedState host;
  Cache reader(options_for(redis), host);
  auto slow_retry = options_for(redis);
  slow_retry.backoff = slow_retry.max_backoff = 1500ms;
  Cache writer(slow_retry, host);
  Source db;
  read(reader, db);

  redis.pause();
  Outcome o{};
  const auto started = std::chrono::steady_clock::now();
  read(writer, db, &o);
  CHECK(o == Outcome::kBypass);
  CHECK(std::chrono::steady_clock::now() - started < 1s);
  redis.resume();
  db.value = "v2";
  writer.invalidate({kVersion});  // skipped while backing off: lost
  REQUIRE(redis.cli("PING") == "PONG");

  SECTION("another process of the host") { CHECK(read(reader, db) == "{\"title\":\"v2\"}"); }
  SECTION("the writer itself, once its back-off has passed") {
    std::this_thread::sleep_for(1600ms);
    CHECK(read(writer, db) == "{\"title\":\"v2\"}");
  }
  SECTION("a process of another host, after the writer's next contact") {
    SharedState other_host;
    Cache remote(options_for(redis), other_host);
    std::this_thread::sleep_for(1600ms);
    CHECK(writer.health() == Health::kReachable);
    read(writer, db);  // the writer's first read pays the epoch it owes
    CHECK(read(remote, db) == "{\"title\":\"v2\"}");
  }
}

TEST_CASE("an evicted version key never brings an old entry back", "[cache][integration]") {
  test_support::RedisServer redis;
  SharedState shared;
  Cache cache(options_for(redis), shared);
  Source db;
  read(cache, db);
  // A naive scheme (missing version = 0, INCR from there) would find these again.
  const std::string epoch = redis.cli("GET cache:epoch");
  REQUIRE_FALSE(epoch.empty());
  for (int v = 0; v < 3; ++v) {
    redis.cli("SET 'cache:" + epoch + ":" + std::to_string(v) +
              ":product:7' '\"old\"\n{\"title\":\"old\"}'");
  }
  redis.cli(std::string("DEL ") + kVersion);  // evicted by allkeys-lru
  db.value = "v2";
  cache.invalidate({kVersion});
  CHECK(read(cache, db) == "{\"title\":\"v2\"}");
  redis.cli(std::string("DEL ") + kVersion);
  CHECK(read(cache, db) == "{\"title\":\"v2\"}");
}
