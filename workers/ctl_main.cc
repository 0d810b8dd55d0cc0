// ecommerce-ctl: see workers/ctl/ctl.h.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "common/json.h"
#include "workers/ctl/ctl.h"
#include "workers/ctl/jobs.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  std::string error;
  bool help = false;
  const auto options = ctl::parse_args(
      args, [](const char* name) { return std::getenv(name); }, error, help);
  if (help) {
    std::fputs(ctl::kUsageText, stdout);
    return ctl::kOk;
  }
  if (!options) {
    std::fprintf(stderr, "ecommerce-ctl: %s\n%s", error.c_str(), ctl::kUsageText);
    return ctl::kUsage;
  }
  if (options->jobs) {
    return ctl::run_jobs_command(*options->jobs, options->json,
                                 [](const char* name) { return std::getenv(name); });
  }
  std::string reply_text;
  try {
    // A reload answers after validating the configuration: allow it time.
    reply_text =
        ctl::send_command(options->socket, server::control::to_line(options->command), 10000);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecommerce-ctl: %s\n", e.what());
    return ctl::kUnreachable;
  }
  Json::Value reply;
  try {
    reply = common::json::parse_trusted(reply_text);
  } catch (const std::exception&) {
    std::fprintf(stderr, "ecommerce-ctl: unexpected answer: %s\n", reply_text.c_str());
    return ctl::kUnreachable;
  }
  if (!reply["ok"].asBool()) {
    std::fprintf(stderr, "ecommerce-ctl: refused: %s\n", reply["error"].asString().c_str());
    return ctl::kRefused;
  }
  if (options->command.kind == server::control::Kind::kStatus) {
    const std::string out = options->json ? common::json::write(reply["status"]) + "\n"
                                          : ctl::render_status_table(reply["status"]);
    std::fputs(out.c_str(), stdout);
  } else {
    std::printf("%s\n", reply["message"].asString().c_str());
  }
  return ctl::kOk;
}
