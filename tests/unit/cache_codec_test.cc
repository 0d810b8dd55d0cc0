#include <catch2/catch.hpp>

#include "common/cache.h"
#include "common/redis.h"

using common::redis::parse_redis_url;

TEST_CASE("redis URLs name a TCP or unix server, with password and database", "[cache][unit]") {
  std::string error;
  auto tcp = parse_redis_url("redis://cache.internal:6380/2", error);
  REQUIRE(tcp);
  CHECK(tcp->host == "cache.internal");
  CHECK(tcp->port == 6380);
  CHECK(tcp->db == 2);
  CHECK(tcp->unix_path.empty());

  auto defaults = parse_redis_url("redis://127.0.0.1", error);
  REQUIRE(defaults);
  CHECK(defaults->port == 6379);
  CHECK(defaults->db == 0);

  auto auth = parse_redis_url("redis://user:s3cret@10.0.0.5:6379/0", error);
  REQUIRE(auth);
  CHECK(auth->password == "s3cret");
  CHECK(auth->host == "10.0.0.5");

  auto v6 = parse_redis_url("redis://[::1]:7000", error);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 7000);

  auto sock = parse_redis_url("unix:///var/run/redis.sock?db=3", error);
  REQUIRE(sock);
  CHECK(sock->unix_path == "/var/run/redis.sock");
  CHECK(sock->db == 3);
}

TEST_CASE("malformed redis URLs are refused with a reason", "[cache][unit]") {
  for (const char* bad :
       {"http://x", "redis://", "redis://host:0", "redis://host:99999", "redis://host:port",
        "redis://host/x", "unix://relative.sock", "unix:///s.sock?database=1", "redis://[::1"}) {
    std::string error;
    INFO(bad);
    CHECK_FALSE(parse_redis_url(bad, error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("a cache entry round-trips through its stored form", "[cache][unit]") {
  const common::cache::Entry entry{"\"abc123\"", "{\"x\":\"line\\nbreak\"}\n"};
  auto back = common::cache::decode(common::cache::encode(entry));
  REQUIRE(back);
  CHECK(back->etag == entry.etag);
  CHECK(back->body == entry.body);
  CHECK_FALSE(common::cache::decode("no separator"));
}

TEST_CASE("a disabled cache loads every time and reports itself disabled", "[cache][unit]") {
  common::cache::SharedState shared;
  for (const char* url : {"", "off"}) {
    common::cache::Options options;
    options.url = url;
    common::cache::Cache cache(options, shared);
    CHECK_FALSE(cache.enabled());
    int loads = 0;
    common::cache::Outcome outcome{};
    auto e = cache.read_through(
        "cache:ver:x", "x",
        [&] {
          ++loads;
          return common::cache::Entry{"\"e\"", "body"};
        },
        outcome);
    CHECK(e.body == "body");
    CHECK(outcome == common::cache::Outcome::kBypass);
    CHECK(loads == 1);
    CHECK(cache.health() == common::cache::Health::kDisabled);
    cache.invalidate({"cache:ver:x"});  // a no-op, never a throw
  }
  common::cache::Options bad;
  bad.url = "memcached://x";
  CHECK_THROWS_AS(common::cache::Cache(bad, shared), std::invalid_argument);
}
