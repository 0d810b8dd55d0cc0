// The route table of the service: every endpoint, its method, pattern,
// handler and what it needs, in one place (see routes.cc).
#pragma once

#include "common/router.h"

namespace server {

common::Router make_router();

}  // namespace server
