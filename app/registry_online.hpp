// `unit …` and `site …` against a running server (--server URL, signed in
// with `clueline login`): the same actions and the same printed JSON as the
// offline commands, through the administration API. Site tokens are signed
// here, with the site-signing key file, which never leaves this machine.
#pragma once

#include <span>
#include <string_view>

namespace clueline::app {

// True if the arguments ask for the running server (contain --server).
bool wants_server(std::span<char*> args);

int unit_online(std::string_view action, std::span<char*> args);
int site_online(std::string_view action, std::span<char*> args);

}  // namespace clueline::app
