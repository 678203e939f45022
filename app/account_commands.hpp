// Supervisor accounts on the command line (account_commands.cpp).
#pragma once

#include <span>
#include <vector>

#include "clueline/crypto/keys.hpp"
#include "options.hpp"

namespace clueline::app {

// `account add|list|unlock` with --data-dir DIR or --config FILE, server
// stopped: the first accounts of a deployment and of a unit (bootstrap from
// the unit key file), and recovery.
int account(std::span<char*> args);

// `login --server URL [--ca-file PEM] --account NAME [--passphrase-file F]
// [--totp CODE]`: signs in and keeps the session token in a 0600 file.
int login(std::span<char*> args);

// `logout`: ends the session and removes its file.
int logout(std::span<char*> args);

// `whoami [--unlock [--passphrase-file F]]`: the signed-in account; with
// --unlock, unwraps its unit keys here to show that the passphrase opens them.
int whoami(std::span<char*> args);

// The unit keys of the signed-in account (`login`), unwrapped here with its
// passphrase (--passphrase-file or the terminal); waiting grants are opened
// and stored wrapped on the way. For `open --unlock`.
std::vector<crypto::BoxKeyPair> signed_in_unit_keys(const CommandOptions& options);

}  // namespace clueline::app
