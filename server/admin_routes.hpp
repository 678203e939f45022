// Administration and onboarding routes (services/admin.hpp), each
// parse → one service call → serialise:
//
//   GET  /api/v1/admin/deployment          deployment, levels, units, sites
//   POST /api/v1/admin/units               add a unit
//   POST /api/v1/admin/units/keys          add a unit key (rotation)
//   POST /api/v1/admin/units/deactivate    stop a unit receiving
//   POST /api/v1/admin/sites               add a site (the client signs its token)
//   POST /api/v1/admin/sites/revoke        new token version for a site
//   POST /api/v1/admin/invitations         invite an account
//   GET  /api/v1/admin/accounts?unit=ID    a unit's accounts
//   POST /api/v1/admin/accounts/change     disable, enable, unlock, reset_second_factor
//   POST /api/v1/auth/activate             activate an invitation (no session)
//   GET  /api/v1/accounts/awaiting-key     own unit's accounts to grant the key to
//   POST /api/v1/accounts/grants           grant the unit key to one of them
//   POST /api/v1/auth/me/keys              store a wrapped key for oneself
//   GET  /api/v1/audit?from=SEQ&limit=N    a page of the audit log, with its head
//
// Every route but activate needs a session (auth_routes.hpp).
#pragma once

#include "clueline/services/admin.hpp"
#include "router.hpp"

namespace clueline::server {

// `context` (and what it points to) is not owned and must outlive the router.
void add_admin_routes(Router& router, services::AdminContext* context);

}  // namespace clueline::server
