// The route table (server::make_router, common::Router::match) and the query
// parsing (common::QueryParams, url_decode, the list-query validators) over an
// input "METHOD\nPATH?QUERY": what the worker does with a request line before
// any handler runs. Validators may refuse only with AppError.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/http.h"
#include "common/router.h"
#include "workers/handlers/list_requests.h"
#include "workers/server/routes.h"
#include "workers/services/checkout_service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const common::Router router = server::make_router();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view method =
      newline == std::string_view::npos ? std::string_view("GET") : input.substr(0, newline);
  const std::string_view target =
      newline == std::string_view::npos ? input : input.substr(newline + 1);
  const size_t question = target.find('?');
  const std::string_view raw_path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  const std::string path = common::url_decode(raw_path, false);
  (void)router.match(method, path);
  (void)router.match(method, raw_path);
  (void)common::parse_positive_id(raw_path);

  const common::QueryParams params = common::QueryParams::parse(query);
  (void)params.get("q");
  try {
    (void)handlers::product_list_request(params);
  } catch (const common::AppError&) {
  }
  try {
    (void)handlers::order_list_request(params);
  } catch (const common::AppError&) {
  }
  if (const auto value = params.get("has_inventory")) (void)common::parse_query_bool(*value);
  try {
    (void)services::parse_idempotency_key(params.get("key"));
  } catch (const common::AppError&) {
  }
  return 0;
}
