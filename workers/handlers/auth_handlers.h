// HTTP handlers of /api/v1/auth/* (API.md "Identity"): parse the body, call
// one function of services/auth_service.h, render. /auth/me and
// /auth/password are kUser routes, so the central access check has set
// ctx.principal before they run.
#pragma once

#include "common/http.h"
#include "common/request_context.h"

namespace handlers {

common::Response auth_register(const common::Request& req, common::RouteContext& ctx);  // 201
common::Response auth_login(const common::Request& req, common::RouteContext& ctx);     // 200
common::Response auth_refresh(const common::Request& req, common::RouteContext& ctx);   // 200
common::Response auth_logout(const common::Request& req, common::RouteContext& ctx);    // 204
common::Response auth_me(const common::Request& req, common::RouteContext& ctx);        // 200
// 204; every refresh token of the account revoked, its access tokens ended.
common::Response auth_change_password(const common::Request& req, common::RouteContext& ctx);

}  // namespace handlers
