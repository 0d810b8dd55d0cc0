#include "workers/server/routes.h"

#include "workers/handlers/address_handlers.h"
#include "workers/handlers/admin_catalog_handlers.h"
#include "workers/handlers/admin_inventory_handlers.h"
#include "workers/handlers/auth_handlers.h"
#include "workers/handlers/cart_handlers.h"
#include "workers/handlers/catalog_handlers.h"
#include "workers/handlers/health_handler.h"
#include "workers/handlers/job_handlers.h"
#include "workers/handlers/order_handlers.h"

namespace server {

using common::Access;

common::Router make_router() {
  return common::Router({
      // method  pattern                      access            handler
      {"GET", "/health", Access::kPublic, handlers::health},
      {"GET", "/api/v1/categories", Access::kPublic, handlers::list_categories},
      {"GET", "/api/v1/products", Access::kPublic, handlers::list_products},
      {"GET", "/api/v1/products/{id}", Access::kPublic, handlers::get_product},
      // accounts
      {"POST", "/api/v1/auth/register", Access::kPublic, handlers::auth_register},
      {"POST", "/api/v1/auth/login", Access::kPublic, handlers::auth_login},
      {"POST", "/api/v1/auth/refresh", Access::kPublic, handlers::auth_refresh},
      {"POST", "/api/v1/auth/logout", Access::kPublic, handlers::auth_logout},
      {"GET", "/api/v1/auth/me", Access::kUser, handlers::auth_me},
      {"POST", "/api/v1/auth/password", Access::kUser, handlers::auth_change_password},
      // catalogue administration
      {"POST", "/api/v1/admin/categories", Access::kAdmin, handlers::admin_create_category},
      {"POST", "/api/v1/admin/products", Access::kAdmin, handlers::admin_create_product},
      {"PATCH", "/api/v1/admin/products/{id}", Access::kAdmin, handlers::admin_update_product},
      {"POST", "/api/v1/admin/products/{id}/variants", Access::kAdmin,
       handlers::admin_create_variant},
      {"PATCH", "/api/v1/admin/variants/{id}", Access::kAdmin, handlers::admin_update_variant},
      {"POST", "/api/v1/admin/variants/{id}/stock", Access::kAdmin, handlers::admin_adjust_stock},
      {"POST", "/api/v1/admin/inventory/sync", Access::kAdmin, handlers::admin_inventory_sync},
      // carts, addresses, checkout and orders
      {"GET", "/api/v1/carts/me", Access::kUser, handlers::get_cart},
      {"POST", "/api/v1/carts/me/items", Access::kUser, handlers::add_cart_item},
      {"PATCH", "/api/v1/carts/me/items/{cart_item_id}", Access::kUser, handlers::update_cart_item},
      {"DELETE", "/api/v1/carts/me/items/{cart_item_id}", Access::kUser,
       handlers::delete_cart_item},
      {"GET", "/api/v1/addresses", Access::kUser, handlers::list_addresses},
      {"POST", "/api/v1/addresses", Access::kUser, handlers::create_address},
      {"DELETE", "/api/v1/addresses/{id}", Access::kUser, handlers::delete_address},
      {"POST", "/api/v1/orders/checkout", Access::kUser, handlers::checkout},
      {"GET", "/api/v1/orders", Access::kUser, handlers::list_orders},
      {"GET", "/api/v1/orders/{id}", Access::kUser, handlers::get_order},
      {"POST", "/api/v1/orders/{id}/pay", Access::kUser, handlers::pay_order},
      {"POST", "/api/v1/orders/{id}/cancel", Access::kUser, handlers::cancel_order},
      {"POST", "/api/v1/admin/orders/{id}/ship", Access::kAdmin, handlers::ship_order},
      {"POST", "/api/v1/admin/orders/{id}/refund", Access::kAdmin, handlers::refund_order},
      // the job queue
      {"GET", "/api/v1/admin/jobs", Access::kAdmin, handlers::admin_list_jobs},
      {"GET", "/api/v1/admin/jobs/{id}", Access::kAdmin, handlers::admin_get_job},
      {"POST", "/api/v1/admin/jobs/{id}/retry", Access::kAdmin, handlers::admin_retry_job},
  });
}

}  // namespace server
