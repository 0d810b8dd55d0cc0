// ecommerce-ctl: arguments, the control protocol's lines, the status table.
#include <catch2/catch.hpp>
#include <map>

#include "workers/ctl/ctl.h"
#include "workers/ctl/jobs.h"
#include "workers/server/control.h"

using server::control::Command;
using server::control::Kind;
using server::control::WorkersOp;

namespace {

std::optional<ctl::Options> parse(std::vector<std::string> args,
                                  std::map<std::string, std::string> env, std::string& error) {
  bool help = false;
  return ctl::parse_args(
      args,
      [&env](const char* name) -> const char* {
        const auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
      },
      error, help);
}

}  // namespace

TEST_CASE("workers takes +N, -N, =N and N", "[unit][ctl]") {
  struct Case {
    const char* arg;
    WorkersOp op;
    int value;
  };
  const Case cases[] = {{"+2", WorkersOp::kAdd, 2},
                        {"-1", WorkersOp::kAdd, -1},
                        {"=8", WorkersOp::kSet, 8},
                        {"8", WorkersOp::kSet, 8}};
  for (const Case& c : cases) {
    std::string error;
    const auto o = parse({"workers", c.arg}, {}, error);
    INFO(c.arg << ": " << error);
    REQUIRE(o);
    CHECK(o->command.kind == Kind::kWorkers);
    CHECK(o->command.op == c.op);
    CHECK(o->command.value == c.value);
  }
}

TEST_CASE("bad ctl usage is refused with a reason", "[unit][ctl]") {
  const std::vector<std::vector<std::string>> bad = {{},
                                                     {"workers"},
                                                     {"workers", "+0"},
                                                     {"workers", "=0"},
                                                     {"workers", "x"},
                                                     {"workers", "+2", "3"},
                                                     {"reload", "now"},
                                                     {"restart"},
                                                     {"-x", "status"},
                                                     {"-s"}};
  for (const auto& args : bad) {
    std::string error;
    INFO((args.empty() ? std::string("(none)") : args[0]));
    CHECK_FALSE(parse(args, {}, error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("the control socket comes from -s, CONTROL_SOCKET, then STATE_DIR", "[unit][ctl]") {
  std::string error;
  CHECK(parse({"-s", "/tmp/a.sock", "status"}, {{"CONTROL_SOCKET", "/x"}}, error)->socket ==
        "/tmp/a.sock");
  CHECK(parse({"status"}, {{"CONTROL_SOCKET", "/x"}}, error)->socket == "/x");
  CHECK(parse({"status"}, {{"STATE_DIR", "/srv/s"}}, error)->socket == "/srv/s/run/ctl.sock");
  CHECK(parse({"status"}, {}, error)->socket == "./var/run/ctl.sock");
  CHECK(parse({"--json", "status"}, {}, error)->json);
}

TEST_CASE("protocol lines round-trip", "[unit][ctl]") {
  for (const char* line : {"status", "reload", "stop", "workers +2", "workers -1", "workers =8"}) {
    std::string error;
    const auto c = server::control::parse_line(std::string(line) + "\r\n", error);
    REQUIRE(c);
    CHECK(server::control::to_line(*c) == line);
  }
  std::string error;
  CHECK_FALSE(server::control::parse_line("workers lots", error));
}

TEST_CASE("a workers command asks for a count relative to the current one", "[unit][ctl]") {
  CHECK(server::control::requested_workers(Command{Kind::kWorkers, WorkersOp::kAdd, 2}, 4) == 6);
  CHECK(server::control::requested_workers(Command{Kind::kWorkers, WorkersOp::kAdd, -1}, 4) == 3);
  CHECK(server::control::requested_workers(Command{Kind::kWorkers, WorkersOp::kSet, 8}, 4) == 8);
}

TEST_CASE("the status table lists the pool and each process", "[unit][ctl]") {
  Json::Value s(Json::objectValue);
  s["master_pid"] = 100;
  s["mode"] = "static";
  s["workers"] = 2;
  s["idle"] = 1;
  s["busy"] = 1;
  s["crash_backoff"]["active"] = true;
  s["crash_backoff"]["delay_s"] = 4;
  Json::Value busy(Json::objectValue);
  busy["pid"] = 101;
  busy["state"] = "busy";
  busy["request_method"] = "GET";
  busy["request_uri"] = "/api/v1/products";
  busy["request_ms"] = 1234;
  busy["statement"] = "catalog.list";
  busy["rss_bytes"] = 5 << 20;
  s["processes"].append(busy);
  const std::string table = ctl::render_status_table(s);
  CHECK(table.find("master 100") != std::string::npos);
  CHECK(table.find("CRASH BACKOFF 4s") != std::string::npos);
  CHECK(table.find("GET /api/v1/products (1234 ms, sql catalog.list)") != std::string::npos);
  CHECK(table.find("5.0M") != std::string::npos);
}

TEST_CASE("the status table has a role column and the job queue", "[unit][ctl]") {
  Json::Value s(Json::objectValue);
  s["jobs"]["runners"] = 1;
  s["jobs"]["queued"] = 7;
  s["jobs"]["running"] = 1;
  s["jobs"]["dead"] = 2;
  Json::Value runner(Json::objectValue);
  runner["pid"] = 202;
  runner["role"] = "job-runner";
  runner["state"] = "busy";
  runner["request_method"] = "JOB";
  runner["request_uri"] = "order.expire #12";
  runner["request_ms"] = 40;
  s["processes"].append(runner);
  const std::string table = ctl::render_status_table(s);
  CHECK(table.find("ROLE") != std::string::npos);
  CHECK(table.find("job-runner") != std::string::npos);
  CHECK(table.find("jobs: runners 1  queued 7  running 1  dead 2") != std::string::npos);
  CHECK(table.find("JOB order.expire #12 (40 ms)") != std::string::npos);
}

TEST_CASE("jobs and jobs retry ID are ctl commands of their own", "[unit][ctl]") {
  std::string error;
  const auto list = parse({"jobs"}, {}, error);
  REQUIRE(list);
  REQUIRE(list->jobs);
  CHECK_FALSE(list->jobs->retry_id);
  const auto retry = parse({"jobs", "retry", "42"}, {}, error);
  REQUIRE(retry);
  REQUIRE(retry->jobs);
  CHECK(retry->jobs->retry_id == 42);
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"jobs", "retry"},
                                              {"jobs", "retry", "x"},
                                              {"jobs", "retry", "0"},
                                              {"jobs", "list"}}) {
    error.clear();
    CHECK_FALSE(parse(bad, {}, error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("ecommerce-ctl jobs prints the newest and the dead jobs as tables", "[unit][ctl]") {
  Json::Value job(Json::objectValue);
  job["id"] = 42;
  job["queue"] = "email";
  job["kind"] = "order.confirmation";
  job["state"] = "dead";
  job["attempts"] = 8;
  job["max_attempts"] = 8;
  job["run_at"] = "2026-11-25T10:15:30.000000+00:00";
  job["last_error"] = "smtp down\nconnection refused";
  Json::Value jobs(Json::objectValue);
  jobs["recent"]["items"].append(job);
  jobs["dead"]["items"] = Json::Value(Json::arrayValue);
  const std::string out = ctl::render_jobs_tables(jobs);
  CHECK(out.find("newest jobs") != std::string::npos);
  CHECK(out.find("dead jobs\n") != std::string::npos);
  CHECK(out.find("order.confirmation") != std::string::npos);
  CHECK(out.find("8/8") != std::string::npos);
  CHECK(out.find("smtp down connection refused") != std::string::npos);  // one line per job
  CHECK(out.find("(none)") != std::string::npos);                        // no dead job
}
