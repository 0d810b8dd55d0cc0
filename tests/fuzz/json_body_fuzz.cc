// A request body through common::json_body (Content-Type check, strict JSON
// object parsing) and then through every request validator of the services.
// A validator may refuse a body only with AppError (a 4xx); anything else it
// throws would be a 500 and escapes to the fuzzer as a crash.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "common/error.h"
#include "common/http.h"
#include "workers/services/address_service.h"
#include "workers/services/admin_catalog_service.h"
#include "workers/services/auth_service.h"
#include "workers/services/cart_service.h"
#include "workers/services/checkout_service.h"
#include "workers/services/order_service.h"

namespace {

void expect_only_app_errors(const std::function<void()>& validate) {
  try {
    validate();
  } catch (const common::AppError&) {
    // A refused body: the client gets a 4xx.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  common::Request req;
  req.method = "POST";
  req.path = "/api/v1/fuzz";
  req.headers["content-type"] = "application/json";
  req.body.assign(reinterpret_cast<const char*>(data), size);
  Json::Value body;
  try {
    body = common::json_body(req);
  } catch (const common::AppError&) {
    return 0;
  }
  using namespace services;
  expect_only_app_errors([&] { (void)parse_new_address(body); });
  expect_only_app_errors([&] { (void)parse_new_category(body); });
  expect_only_app_errors([&] { (void)parse_new_product(body); });
  expect_only_app_errors([&] { (void)parse_product_changes(body); });
  expect_only_app_errors([&] { (void)parse_new_variant(body); });
  expect_only_app_errors([&] { (void)parse_variant_changes(body); });
  expect_only_app_errors([&] { (void)parse_stock_adjustment(body); });
  expect_only_app_errors([&] { (void)parse_registration(body); });
  expect_only_app_errors([&] { (void)parse_login(body); });
  expect_only_app_errors([&] { (void)parse_refresh_token(body); });
  expect_only_app_errors([&] { (void)parse_add_item(body); });
  expect_only_app_errors([&] { (void)parse_quantity_update(body); });
  expect_only_app_errors([&] { (void)parse_checkout(body); });
  expect_only_app_errors([&] { (void)parse_payment_reference(body); });
  return 0;
}
