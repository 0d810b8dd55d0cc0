// The stock identities the reconciliation job checks
// (services/stock_reconcile_service.h), pure: each one named when it breaks.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "workers/services/stock_reconcile_service.h"

namespace {

// 10 came in: 4 sold and shipped, 2 held by an open order, 4 for sale.
repo::VariantStockFacts balanced() {
  return {.variant_id = 7,
          .sku = "V-7",
          .available = 4,
          .reserved = 2,
          .shipped = 4,
          .ledger_stock_in = 10,
          .ledger_available = 4,
          .ledger_reserved = 2,
          .ledger_shipped = 4,
          .open_order_units = 2,
          .shipped_order_units = 4};
}

std::vector<std::string> broken(const repo::VariantStockFacts& facts) {
  std::vector<std::string> out;
  for (const auto& d : services::stock_differences(facts)) out.emplace_back(d.check);
  return out;
}

}  // namespace

TEST_CASE("stock reconciliation: a balanced variant breaks no identity", "[unit][inventory]") {
  CHECK(services::stock_differences(balanced()).empty());
  CHECK(services::stock_differences(repo::VariantStockFacts{}).empty());  // nothing ever moved
}

TEST_CASE("stock reconciliation: each kind of drift names the identities it breaks",
          "[unit][inventory]") {
  using Facts = repo::VariantStockFacts;
  struct Case {
    const char* what;
    void (*corrupt)(Facts&);
    std::vector<std::string> checks;
  };
  const std::vector<Case> cases = {
      {"available edited by hand",
       [](Facts& f) { f.available += 3; },
       {"ledger_stock_in", "ledger_available"}},
      {"reserved edited by hand",
       [](Facts& f) { f.reserved -= 1; },
       {"ledger_stock_in", "ledger_reserved", "open_orders"}},
      {"an order cancelled without releasing its units",
       [](Facts& f) { f.open_order_units = 0; },
       {"open_orders"}},
      {"a restock without its ledger row",
       [](Facts& f) {
         f.ledger_stock_in -= 5;
         f.ledger_available -= 5;
       },
       {"ledger_stock_in", "ledger_available"}},
      {"a shipment that left reserved but not the ledger",
       [](Facts& f) {
         f.ledger_shipped -= 1;
         f.shipped_order_units += 1;
       },
       {"ledger_shipped", "shipped_orders"}},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Facts facts = balanced();
    c.corrupt(facts);
    CHECK(broken(facts) == c.checks);
  }
  Facts hand_edited = balanced();
  hand_edited.available = 9;
  const auto differences = services::stock_differences(hand_edited);
  REQUIRE(differences.size() == 2);
  CHECK(differences[0].recorded == 15);  // available + reserved + shipped
  CHECK(differences[0].expected == 10);  // what came in by the ledger
  CHECK(differences[1].recorded == 9);
  CHECK(differences[1].expected == 4);
  CHECK(std::string(services::describe_check("open_orders")) ==
        "units in created/paid orders vs reserved");
}

TEST_CASE("stock reconciliation result lists the drift as the job's result", "[unit][inventory]") {
  services::ReconcileResult result;
  result.checked_variants = 3;
  result.drift_variants = 1;
  repo::VariantStockFacts facts = balanced();
  facts.available = 5;
  result.drift.push_back({facts, services::stock_differences(facts)});
  const Json::Value json = services::to_json(result);
  CHECK(json["checked_variants"] == 3);
  CHECK(json["drift_variants"] == 1);
  REQUIRE(json["drift"].size() == 1);
  CHECK(json["drift"][0]["variant_id"] == 7);
  CHECK(json["drift"][0]["sku"] == "V-7");
  CHECK(json["drift"][0]["available"] == 5);
  CHECK(json["drift"][0]["differences"][1]["check"] == "ledger_available");
  CHECK(json["drift"][0]["differences"][1]["recorded"] == 5);
  CHECK(json["drift"][0]["differences"][1]["expected"] == 4);
}
