// The shared scoreboard: what a worker writes in its slot is what the master
// reads, across fork(), and slot metrics outlive the worker that counted them.
#include "workers/server/scoreboard.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "workers/server/metrics.h"

namespace sb = server::scoreboard;

TEST_CASE("a worker's slot shows its state, request and database", "[unit][scoreboard]") {
  sb::Scoreboard board(4);
  board.prepare_slot(1, 7);
  sb::SlotView v = sb::read_slot(board, 1);
  CHECK(v.state == sb::WorkerState::kStarting);
  CHECK(v.generation == 7);
  CHECK(v.started_at_ms > 0);

  sb::SlotWriter w(board.slot(1));
  w.set_db(sb::DbState::kConnected, 4242);
  w.set_state(sb::WorkerState::kIdle);
  w.begin_request("GET", "/api/v1/products?limit=2");
  w.begin_statement("catalog.list", "SELECT 1");
  v = sb::read_slot(board, 1);
  CHECK(v.state == sb::WorkerState::kBusy);
  CHECK(v.method == "GET");
  CHECK(v.uri == "/api/v1/products?limit=2");
  CHECK(v.statement == "catalog.list");
  CHECK(v.sql == "SELECT 1");
  CHECK(v.request_start_ns > 0);
  CHECK(v.statement_start_ns > 0);
  CHECK(v.db_state == sb::DbState::kConnected);
  CHECK(v.db_backend_pid == 4242);

  w.end_statement(1500);
  w.end_request("GET", "/api/v1/products", 200, 2500);
  v = sb::read_slot(board, 1);
  CHECK(v.state == sb::WorkerState::kIdle);
  CHECK(v.request_start_ns == 0);
  CHECK(v.requests == 1);
  CHECK(v.last_duration_us == 2500);
}

TEST_CASE("long URIs and SQL are truncated, never overflow", "[unit][scoreboard]") {
  sb::Scoreboard board(1);
  board.prepare_slot(0, 1);
  sb::SlotWriter w(board.slot(0));
  const std::string uri(5000, 'u');
  const std::string sql(5000, 's');
  w.begin_request("PROPFINDXXXXXXXX", uri);
  w.begin_statement(std::string(200, 'n'), sql);
  const sb::SlotView v = sb::read_slot(board, 0);
  CHECK(v.uri.size() == sb::kUriLen - 1);
  CHECK(v.sql.size() == sb::kSqlLen - 1);
  CHECK(v.statement.size() == sb::kStatementLen - 1);
  CHECK(v.method.size() == sb::kMethodLen - 1);
}

TEST_CASE("slot metrics survive the worker and a new occupant adds to them", "[unit][scoreboard]") {
  sb::Scoreboard board(2);
  board.prepare_slot(0, 1);
  {
    sb::SlotWriter w(board.slot(0));
    for (int i = 0; i < 3; ++i) w.end_request("GET", "/health", 200, 100);
  }
  board.release_slot(0);
  CHECK(server::total_requests(board) == 3);
  board.prepare_slot(0, 2);  // the replacement
  CHECK(sb::read_slot(board, 0).requests == 0);
  sb::SlotWriter w(board.slot(0));
  w.end_request("GET", "/health", 200, 100);
  w.end_request("POST", "/health", 405, 100);
  CHECK(server::total_requests(board) == 5);
  CHECK(sb::read_slot(board, 0).requests == 2);
}

TEST_CASE("the master finds free slots and frees them", "[unit][scoreboard]") {
  sb::Scoreboard board(2);
  CHECK(board.free_slot() == 0);
  board.prepare_slot(0, 1);
  CHECK(board.free_slot() == 1);
  board.prepare_slot(1, 1);
  CHECK(board.free_slot() == -1);
  board.release_slot(0);
  CHECK(board.free_slot() == 0);
}

TEST_CASE("what a forked child writes in its slot, the parent reads", "[unit][scoreboard]") {
  sb::Scoreboard board(2);
  board.prepare_slot(1, 3);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    sb::SlotWriter w(board.slot(1));
    w.set_state(sb::WorkerState::kIdle);
    for (int i = 0; i < 10; ++i) w.end_request("GET", "/api/v1/categories", 200, 1000);
    w.begin_request("GET", "/api/v1/products/1");
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  const sb::SlotView v = sb::read_slot(board, 1);
  CHECK(v.state == sb::WorkerState::kBusy);
  CHECK(v.requests == 10);
  CHECK(v.uri == "/api/v1/products/1");
  CHECK(server::total_requests(board) == 10);
}

TEST_CASE("histogram observations land in the first bucket that holds them", "[unit][scoreboard]") {
  sb::Scoreboard board(1);
  sb::Histogram& h = board.slot(0).metrics.db_query;
  sb::observe(h, 5000);      // 0.005 s: the first bucket (le is inclusive)
  sb::observe(h, 5001);      // just above: the second
  sb::observe(h, 60000000);  // 60 s: +Inf
  CHECK(h.buckets[0].load() == 1);
  CHECK(h.buckets[1].load() == 1);
  CHECK(h.buckets[sb::kBuckets - 1].load() == 1);
  CHECK(h.count.load() == 3);
  CHECK(h.sum_us.load() == 60010001);
}

TEST_CASE("a slot records the role of the child the master prepared it for", "[unit][scoreboard]") {
  sb::Scoreboard board(2);
  board.prepare_slot(0, 1, 3);
  board.prepare_slot(1, 1);
  CHECK(sb::read_slot(board, 0).role == 3);
  CHECK(sb::read_slot(board, 1).role == 0);  // the worker role
}

TEST_CASE("bump adds to a single-writer counter", "[unit][scoreboard]") {
  sb::Counter c{0};
  sb::bump(c);
  sb::bump(c, 4);
  CHECK(c.load() == 5);
}
