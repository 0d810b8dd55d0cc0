#include "workers/server/routes.h"

#include "workers/handlers/catalog_handlers.h"
#include "workers/handlers/health_handler.h"

namespace server {

using common::Access;

common::Router make_router() {
  return common::Router({
      // method  pattern                      access            handler
      {"GET", "/health", Access::kPublic, handlers::health},
      {"GET", "/api/v1/categories", Access::kPublic, handlers::list_categories},
      {"GET", "/api/v1/products", Access::kPublic, handlers::list_products},
      {"GET", "/api/v1/products/{id}", Access::kPublic, handlers::get_product},
  });
}

}  // namespace server
