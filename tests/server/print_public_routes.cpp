// Prints the public listener's routes as "METHOD /path" lines (a trailing
// "*" marks a prefix route: "GET /static/*"), for
// docs/check-openapi-routes.mjs.
#include <iostream>

#include "intake_routes.hpp"

int main() {
  namespace server = clueline::server;
  server::Router router;
  // The handlers are never run.
  const clueline::services::CitizenContext citizen{};
  clueline::services::AuthContext auth{};
  clueline::services::AdminContext admin{};
  clueline::services::ClueWorkContext clue_work{};
  server::add_public_listener_routes(router, &citizen, &auth, &admin, &clue_work);
  for (const server::Route& route : router.routes()) {
    std::cout << server::http::to_string(route.method) << ' ' << route.path
              << (route.is_prefix ? "*" : "") << '\n';
  }
  return 0;
}
