#include "workers/services/stock_reconcile_service.h"

#include <cstring>

namespace services {

namespace pg = common::pg;

namespace {

// Variants read per statement: bounds the memory of a run, whatever the
// catalogue's size.
constexpr int kReconcilePageSize = 1000;

struct Check {
  const char* name;
  const char* description;
  int64_t (*recorded)(const repo::VariantStockFacts&);
  int64_t (*expected)(const repo::VariantStockFacts&);
};

using Facts = repo::VariantStockFacts;

// The identities of the header, in its order.
constexpr Check kChecks[] = {
    {"ledger_stock_in", "initial + restocks - write-offs vs available + reserved + shipped",
     [](const Facts& f) { return f.available + f.reserved + f.shipped; },
     [](const Facts& f) { return f.ledger_stock_in; }},
    {"ledger_available", "ledger available vs available",
     [](const Facts& f) { return f.available; }, [](const Facts& f) { return f.ledger_available; }},
    {"ledger_reserved", "ledger reserved vs reserved", [](const Facts& f) { return f.reserved; },
     [](const Facts& f) { return f.ledger_reserved; }},
    {"ledger_shipped", "ledger shipped vs shipped", [](const Facts& f) { return f.shipped; },
     [](const Facts& f) { return f.ledger_shipped; }},
    {"open_orders", "units in created/paid orders vs reserved",
     [](const Facts& f) { return f.reserved; }, [](const Facts& f) { return f.open_order_units; }},
    {"shipped_orders", "units in shipped orders vs shipped",
     [](const Facts& f) { return f.shipped; },
     [](const Facts& f) { return f.shipped_order_units; }},
};

}  // namespace

std::vector<StockDifference> stock_differences(const repo::VariantStockFacts& facts) {
  std::vector<StockDifference> out;
  for (const Check& check : kChecks) {
    const int64_t recorded = check.recorded(facts);
    const int64_t expected = check.expected(facts);
    if (recorded != expected) out.push_back({check.name, recorded, expected});
  }
  return out;
}

const char* describe_check(const char* check) {
  for (const Check& c : kChecks) {
    if (std::strcmp(c.name, check) == 0) return c.description;
  }
  return check;
}

ReconcileResult reconcile_stock(pg::Connection& db, size_t max_listed) {
  return pg::transaction(db, [&](pg::Connection& c) {
    // Every page from one snapshot: a transaction that moves stock is seen
    // whole or not at all, however long the pages take.
    c.command("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", pg::Effect::kRead);
    ReconcileResult result;
    int64_t after = 0;
    for (;;) {
      std::vector<repo::VariantStockFacts> page =
          repo::variant_stock_facts(c, after, kReconcilePageSize);
      if (page.empty()) break;
      after = page.back().variant_id;
      for (repo::VariantStockFacts& facts : page) {
        ++result.checked_variants;
        std::vector<StockDifference> differences = stock_differences(facts);
        if (differences.empty()) continue;
        ++result.drift_variants;
        if (result.drift.size() < max_listed) {
          result.drift.push_back({std::move(facts), std::move(differences)});
        }
      }
      if (page.size() < static_cast<size_t>(kReconcilePageSize)) break;
    }
    return result;
  });
}

Json::Value to_json(const ReconcileResult& result) {
  Json::Value out(Json::objectValue);
  out["checked_variants"] = static_cast<Json::Int64>(result.checked_variants);
  out["drift_variants"] = static_cast<Json::Int64>(result.drift_variants);
  Json::Value& drift = out["drift"] = Json::Value(Json::arrayValue);
  for (const VariantDrift& d : result.drift) {
    Json::Value row(Json::objectValue);
    row["variant_id"] = static_cast<Json::Int64>(d.facts.variant_id);
    row["sku"] = d.facts.sku;
    row["available"] = static_cast<Json::Int64>(d.facts.available);
    row["reserved"] = static_cast<Json::Int64>(d.facts.reserved);
    row["shipped"] = static_cast<Json::Int64>(d.facts.shipped);
    Json::Value& differences = row["differences"] = Json::Value(Json::arrayValue);
    for (const StockDifference& diff : d.differences) {
      Json::Value item(Json::objectValue);
      item["check"] = diff.check;
      item["recorded"] = static_cast<Json::Int64>(diff.recorded);
      item["expected"] = static_cast<Json::Int64>(diff.expected);
      differences.append(std::move(item));
    }
    drift.append(std::move(row));
  }
  return out;
}

}  // namespace services
