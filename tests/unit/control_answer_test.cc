// The master's side of the control protocol (workers/server/control.h): one
// line in, the command run, one JSON line out.
#include <catch2/catch.hpp>

#include "common/json.h"
#include "workers/server/control.h"

namespace control = server::control;

namespace {

struct Recorder {
  std::string ran;
  bool accept = true;

  control::Actions actions() {
    control::Actions a;
    a.status = [this] {
      ran = "status";
      Json::Value s(Json::objectValue);
      s["workers"] = 3;
      return s;
    };
    a.workers = [this](const control::Command& c, std::string& message) {
      ran = "workers " + std::to_string(control::requested_workers(c, 4));
      message = accept ? "workers 4 -> 6" : "too many";
      return accept;
    };
    a.reload = [this](std::string& message) {
      ran = "reload";
      message = accept ? "reloaded" : "invalid configuration";
      return accept;
    };
    a.stop = [this] {
      ran = "stop";
      return std::string("stopping gracefully");
    };
    return a;
  }
};

Json::Value reply(std::string_view line, Recorder& r) {
  return common::json::parse_object(control::answer(line, r.actions()));
}

}  // namespace

TEST_CASE("each control command runs its action and answers ok", "[unit][ctl]") {
  Recorder r;
  Json::Value a = reply("status\n", r);
  CHECK(r.ran == "status");
  CHECK(a["ok"] == true);
  CHECK(a["status"]["workers"] == 3);

  a = reply("workers +2", r);
  CHECK(r.ran == "workers 6");
  CHECK(a["message"] == "workers 4 -> 6");

  a = reply("stop", r);
  CHECK(r.ran == "stop");
  CHECK(a["ok"] == true);
  CHECK(a["message"] == "stopping gracefully");
}

TEST_CASE("a refused command answers ok false with the reason", "[unit][ctl]") {
  Recorder r;
  r.accept = false;
  const Json::Value a = reply("reload", r);
  CHECK(r.ran == "reload");
  CHECK(a["ok"] == false);
  CHECK(a["error"] == "invalid configuration");
  CHECK_FALSE(a.isMember("message"));
}

TEST_CASE("a line that does not parse runs nothing", "[unit][ctl]") {
  Recorder r;
  const Json::Value a = reply("reboot", r);
  CHECK(r.ran.empty());
  CHECK(a["ok"] == false);
  CHECK(a["error"].asString().find("unknown command 'reboot'") != std::string::npos);
}
