// Prints the public listener's routes as "METHOD /path" lines (a trailing
// "/" marks a prefix route), for docs/check-openapi-routes.mjs.
#include <iostream>

#include "intake_routes.hpp"

int main() {
  namespace server = clueline::server;
  server::Router router;
  const clueline::services::CitizenContext unused{};  // handlers are never run
  server::add_public_listener_routes(router, &unused);
  for (const server::Route& route : router.routes()) {
    std::cout << server::http::to_string(route.method) << ' ' << route.path << '\n';
  }
  return 0;
}
