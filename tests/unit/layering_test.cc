// The layers point one way. Every `#include "..."` under common/ and workers/
// of the source tree (ECOMMERCE_SOURCE_DIR) is checked against these rules:
//
//   common/                   includes nothing from workers/ (every binary links it);
//   workers/services/,        include nothing from workers/server/ or
//   workers/repositories/     workers/handlers/ (the process model and HTTP are above them);
//   workers/repositories/     include nothing from workers/services/ (data below rules);
//   below the handlers        nothing includes an HTTP header: common/http.h,
//                             common/router.h, common/query_params.h; services
//                             and repositories do not take a RouteContext
//                             (common/request_context.h) either.
//
// "Below the handlers" is services, repositories, and every file of common/
// except the HTTP ones themselves (http.*, router.*, query_params.*).
// A failure names the file and the include that breaks a rule.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

bool is_common_http_file(const std::string& file) {
  for (const char* stem : {"common/http.", "common/router.", "common/query_params."}) {
    if (starts_with(file, stem)) return true;
  }
  return false;
}

bool is_below_handlers(const std::string& file) {
  return starts_with(file, "workers/services/") || starts_with(file, "workers/repositories/") ||
         (starts_with(file, "common/") && !is_common_http_file(file));
}

// The rule `file` (a path relative to the source tree) breaks by including
// `include`, or nullopt.
std::optional<std::string> broken_rule(const std::string& file, const std::string& include) {
  if (starts_with(file, "common/") && starts_with(include, "workers/")) {
    return "common/ must not include workers/";
  }
  const bool service = starts_with(file, "workers/services/");
  const bool repository = starts_with(file, "workers/repositories/");
  if ((service || repository) &&
      (starts_with(include, "workers/server/") || starts_with(include, "workers/handlers/"))) {
    return "services and repositories must not include workers/server/ or workers/handlers/";
  }
  if (repository && starts_with(include, "workers/services/")) {
    return "repositories must not include workers/services/";
  }
  if (is_below_handlers(file) && (include == "common/http.h" || include == "common/router.h" ||
                                  include == "common/query_params.h")) {
    return "nothing below the handlers knows HTTP";
  }
  if ((service || repository) && include == "common/request_context.h") {
    return "services and repositories take plain values, not a RouteContext";
  }
  return std::nullopt;
}

struct Include {
  std::string file;  // relative to the source tree
  std::string target;
  int line;
};

std::vector<Include> project_includes() {
  const fs::path root(ECOMMERCE_SOURCE_DIR);
  const std::regex include_line(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::vector<Include> out;
  for (const char* top : {"common", "workers"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".h" && ext != ".cc")) continue;
      const std::string file = fs::relative(entry.path(), root).generic_string();
      std::ifstream in(entry.path());
      std::string text;
      for (int line = 1; std::getline(in, text); ++line) {
        std::smatch m;
        if (std::regex_search(text, m, include_line)) out.push_back({file, m[1].str(), line});
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the layering rules say what they forbid", "[unit][layering]") {
  struct Case {
    const char* file;
    const char* include;
    bool allowed;
  };
  const Case cases[] = {
      {"common/router.h", "workers/server/context.h", false},
      {"common/pg.cc", "common/log.h", true},
      {"common/pg.h", "common/http.h", false},
      {"common/router.h", "common/http.h", true},
      {"common/http.h", "common/query_params.h", true},
      {"workers/services/access_token.h", "workers/server/context.h", false},
      {"workers/services/cart_service.cc", "workers/handlers/cart_handlers.h", false},
      {"workers/services/cart_service.h", "workers/repositories/cart_repository.h", true},
      {"workers/services/catalog_service.h", "common/http.h", false},
      {"workers/services/catalog_service.h", "common/query_params.h", false},
      {"workers/services/auth_service.h", "common/request_context.h", false},
      {"workers/services/access_token.h", "common/principal.h", true},
      {"workers/repositories/cart_repository.cc", "workers/services/busy_retry.h", false},
      {"workers/repositories/cart_repository.cc", "common/router.h", false},
      {"workers/repositories/cart_repository.cc", "common/pg_params.h", true},
      {"workers/handlers/cart_handlers.cc", "workers/services/cart_service.h", true},
      {"workers/handlers/cart_handlers.h", "common/http.h", true},
      {"workers/server/dispatch.cc", "workers/services/access_token.h", true},
  };
  for (const Case& c : cases) {
    INFO(c.file << " includes " << c.include);
    CHECK(broken_rule(c.file, c.include).has_value() == !c.allowed);
  }
}

TEST_CASE("common, services and repositories include only what their layer may",
          "[unit][layering]") {
  const std::vector<Include> includes = project_includes();
  // The scan found the tree (a wrong ECOMMERCE_SOURCE_DIR must not pass vacuously).
  REQUIRE(includes.size() > 100);
  int broken = 0;
  for (const Include& inc : includes) {
    if (const auto rule = broken_rule(inc.file, inc.target)) {
      ++broken;
      FAIL_CHECK(inc.file << ":" << inc.line << ": #include \"" << inc.target << "\": " << *rule);
    }
  }
  CHECK(broken == 0);
}
