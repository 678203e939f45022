// What the commands that talk to a running server share: passphrases read
// without echo, the saved session of `clueline login`, and signed-in calls.
//
// The passphrase is read from the terminal, or from --passphrase-file;
// never from argv or the environment. The session token is kept in a 0600
// file: $CLUELINE_SESSION_FILE, else $XDG_CONFIG_HOME/clueline/session.json,
// else ~/.config/clueline/session.json.
#pragma once

#include <boost/json/object.hpp>
#include <filesystem>
#include <string>
#include <string_view>

#include "clueline/crypto/account.hpp"
#include "clueline/server/api_client.hpp"
#include "options.hpp"

namespace clueline::app {

// A passphrase held in a std::string for the moment it is needed; wiped
// when it goes.
class Passphrase {
 public:
  explicit Passphrase(std::string text) : text_(std::move(text)) {}
  ~Passphrase();
  Passphrase(const Passphrase&) = delete;
  Passphrase& operator=(const Passphrase&) = delete;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// --passphrase-file FILE, else the terminal (UsageError without one); at
// least 12 characters.
Passphrase read_passphrase(const CommandOptions& options, std::string_view prompt);

// --kdf-opslimit / --kdf-memlimit, else the defaults (MODERATE).
crypto::KdfParams kdf_params(const CommandOptions& options);

std::filesystem::path session_file();

struct SavedSession {
  std::string server;
  std::string ca_file;
  std::string session;
};
// UsageError "not logged in" without a session file.
SavedSession load_session();

// UsageError for a malformed URL.
server::ApiClient client_for(const std::string& url, const std::string& ca_file);

// The signed-in session: the saved one, which must be for `--server URL`
// when given (UsageError otherwise, saying to log in); without --server,
// the server signed in to.
struct SignedIn {
  SavedSession saved;
  server::ApiClient client;
};
SignedIn signed_in(const CommandOptions& options);

// A call with the session's bearer token; the JSON object of a 2xx answer,
// else std::runtime_error naming `what` and the server's message.
boost::json::object call_json(SignedIn& session, server::ApiClient::Method method,
                              const std::string& target, const boost::json::object* body,
                              const std::string& what);

}  // namespace clueline::app
