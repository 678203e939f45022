// The citizen-facing routes of docs/api.md: poster page, site info, route
// and challenge, report submission, follow-up and attachment upload. Each
// handler parses the request, calls one function of services/citizen.hpp
// and serialises its answer.
#pragma once

#include "clueline/services/admin.hpp"
#include "clueline/services/auth.hpp"
#include "clueline/services/citizen.hpp"
#include "clueline/services/clue_work.hpp"
#include "router.hpp"

namespace clueline::server {

// `context` is not owned and must outlive the router.
void add_intake_routes(Router& router, const services::CitizenContext* context);

// Every route of the public listener: the pages (add_public_routes) and the
// citizen API. docs/openapi.yaml documents each (a ctest compares them).
void add_public_listener_routes(Router& router, const services::CitizenContext* citizen,
                                services::AuthContext* auth, services::AdminContext* admin,
                                services::ClueWorkContext* clue_work);

}  // namespace clueline::server
