// The reference client against a running server and the offline opening of
// stored clues (client_commands.cpp).
#pragma once

#include <boost/json/object.hpp>
#include <span>
#include <string>

#include "clueline/server/api_client.hpp"
#include "options.hpp"

namespace clueline::app {

// The JSON object of a 2xx answer; anything else throws std::runtime_error
// "WHAT: HTTP <status> <code>: <message>" with the server's error.
boost::json::object expect_json(const server::ApiClient::Answer& answer, const std::string& what);

// `submit --server URL ...`: route, seal, proof of work, POST, attachment
// upload; prints the receipt.
int submit_online(const CommandOptions& options);

// `followup --server URL --receipt R (--salt S | --token T)`: status and
// opened replies.
int followup(std::span<char*> args);

// `open --data-dir DIR --clue ID --secret-key-file F`: a stored clue, read
// from the database (the server must be stopped: it holds the lock).
int open_stored(const CommandOptions& options);

}  // namespace clueline::app
