// docs/openapi.yaml cannot drift from the route table: every route of
// server::make_router() is documented (same method, same pattern, parameter
// names included) and the document names no operation the table lacks, apart
// from the few that nginx or the master serve. Routes that need a token are
// documented with the bearer security scheme.
//
// The document is read with a small reader for its `paths:` block, which the
// document keeps in one layout (two spaces per level, one key per line):
//   paths:
//     /api/v1/products/{id}:
//       get:
//         security: [{ bearer: [] }]
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "workers/server/routes.h"

namespace {

struct DocumentedOperation {
  bool bearer = false;  // `security: [{ bearer: [] }]` on the operation
};

// "GET /api/v1/products/{id}" -> what the document says about it.
using Operations = std::map<std::string, DocumentedOperation>;

size_t indentation(const std::string& line) {
  const size_t first = line.find_first_not_of(' ');
  return first == std::string::npos ? line.size() : first;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Operations read_operations(const std::string& file) {
  std::ifstream in(file);
  REQUIRE(in.good());
  static const std::set<std::string> kMethods = {"get",    "put",  "post",   "patch",
                                                 "delete", "head", "options"};
  Operations out;
  bool in_paths = false;
  std::string path, operation;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[indentation(line)] == '#') continue;
    const size_t indent = indentation(line);
    if (indent == 0) {
      in_paths = line == "paths:";
      continue;
    }
    if (!in_paths) continue;
    const std::string text = line.substr(indent);
    if (indent == 2) {
      REQUIRE(text.back() == ':');
      path = text.substr(0, text.size() - 1);
      operation.clear();
    } else if (indent == 4) {
      const std::string key = text.substr(0, text.find(':'));
      operation = kMethods.count(key) ? upper(key) + " " + path : "";
      if (!operation.empty()) out[operation] = {};
    } else if (indent == 6 && !operation.empty() && text.rfind("security:", 0) == 0) {
      out[operation].bearer = text.find("bearer") != std::string::npos;
    }
  }
  return out;
}

Operations documented() {
  return read_operations(std::string(ECOMMERCE_SOURCE_DIR) + "/docs/openapi.yaml");
}

// Served in front of the route table: the master (/status, /metrics on its own
// socket) and nginx (the document itself and the page that renders it).
const std::set<std::string> kServedOutsideTheTable = {"GET /status", "GET /metrics",
                                                      "GET /openapi.json", "GET /docs"};

}  // namespace

TEST_CASE("every route of the table is in the OpenAPI document", "[unit][openapi]") {
  const Operations doc = documented();
  const common::Router router = server::make_router();
  REQUIRE(!router.routes().empty());
  for (const common::Route& route : router.routes()) {
    const std::string key = route.method + " " + route.pattern;
    INFO(key);
    const auto it = doc.find(key);
    REQUIRE(it != doc.end());
    const bool needs_token =
        route.access == common::Access::kUser || route.access == common::Access::kAdmin;
    CHECK(it->second.bearer == needs_token);
  }
}

TEST_CASE("the OpenAPI document names no route the table lacks", "[unit][openapi]") {
  std::set<std::string> table;
  const common::Router router = server::make_router();
  for (const common::Route& route : router.routes())
    table.insert(route.method + " " + route.pattern);
  const Operations doc = documented();
  REQUIRE(doc.size() >= table.size());
  for (const auto& [key, operation] : doc) {
    INFO(key);
    CHECK((table.count(key) == 1 || kServedOutsideTheTable.count(key) == 1));
  }
}

TEST_CASE("the OpenAPI reader sees methods, paths and security", "[unit][openapi]") {
  const Operations doc = documented();
  REQUIRE(doc.count("POST /api/v1/orders/checkout") == 1);
  CHECK(doc.at("POST /api/v1/orders/checkout").bearer);
  REQUIRE(doc.count("GET /api/v1/products/{id}") == 1);
  CHECK(!doc.at("GET /api/v1/products/{id}").bearer);
  CHECK(doc.count("PATCH /api/v1/carts/me/items/{cart_item_id}") == 1);
  CHECK(doc.count("DELETE /api/v1/carts/me/items/{cart_item_id}") == 1);
}
