#include "session.hpp"

#include <termios.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

#include "client_commands.hpp"
#include "clueline/crypto/bytes.hpp"
#include "clueline/services/config.hpp"
#include "files.hpp"

namespace clueline::app {

namespace fs = std::filesystem;
namespace json = boost::json;

Passphrase::~Passphrase() {
  crypto::wipe(std::as_writable_bytes(std::span(text_.data(), text_.size())));
}

Passphrase read_passphrase(const CommandOptions& options, std::string_view prompt) {
  std::string text;
  if (options.has("--passphrase-file")) {
    text = read_text(options.required("--passphrase-file"));
  } else {
    if (!::isatty(STDIN_FILENO)) {
      throw UsageError("no terminal to ask for the passphrase on; give --passphrase-file FILE");
    }
    std::cerr << prompt << std::flush;
    termios saved{};
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, text);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << '\n';
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() < 12) {
    crypto::wipe(std::as_writable_bytes(std::span(text.data(), text.size())));
    throw UsageError("the passphrase must have at least 12 characters");
  }
  return Passphrase(std::move(text));
}

crypto::KdfParams kdf_params(const CommandOptions& options) {
  crypto::KdfParams params;
  if (options.has("--kdf-opslimit")) {
    params.opslimit =
        static_cast<std::uint32_t>(parse_id(options.required("--kdf-opslimit"), "--kdf-opslimit"));
  }
  if (options.has("--kdf-memlimit")) {
    params.memlimit = parse_id(options.required("--kdf-memlimit"), "--kdf-memlimit");
  }
  if (!crypto::validate(params)) {
    throw UsageError(
        "--kdf-opslimit must be 1..10 and --kdf-memlimit a multiple of 1024 in 8192..1073741824");
  }
  return params;
}

// Where `login` keeps the session: $CLUELINE_SESSION_FILE, else
// $XDG_CONFIG_HOME/clueline/session.json, else ~/.config/clueline/session.json.
fs::path session_file() {
  if (const char* file = std::getenv(services::kSessionFileVariable.data());
      file != nullptr && *file != '\0') {
    return file;
  }
  if (const char* config = std::getenv("XDG_CONFIG_HOME"); config != nullptr && *config != '\0') {
    return fs::path(config) / "clueline" / "session.json";
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    throw UsageError("no HOME to keep the session in; set CLUELINE_SESSION_FILE");
  }
  return fs::path(home) / ".config" / "clueline" / "session.json";
}

SavedSession load_session() {
  const fs::path file = session_file();
  if (!fs::exists(file))
    throw UsageError("not logged in: run clueline login --server URL --account NAME");
  boost::system::error_code ec;
  const json::value saved = json::parse(read_text(file), ec);
  if (ec || !saved.is_object()) throw std::runtime_error(file.string() + ": not a session file");
  return {std::string(saved.at("server").as_string()), std::string(saved.at("ca_file").as_string()),
          std::string(saved.at("session").as_string())};
}

server::ApiClient client_for(const std::string& url, const std::string& ca_file) {
  try {
    return server::ApiClient(url, ca_file);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--server: ") + e.what());
  }
}

namespace {

// "https://host:port" without trailing slashes, for comparing server URLs.
std::string trimmed_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

SignedIn signed_in(const CommandOptions& options) {
  SavedSession saved = load_session();
  const std::string url =
      trimmed_url(options.has("--server") ? options.required("--server") : saved.server);
  if (trimmed_url(saved.server) != url) {
    throw UsageError("signed in to " + saved.server + ", not " + url +
                     ": run clueline login --server " + url + " --account NAME");
  }
  server::ApiClient client = client_for(saved.server, saved.ca_file);
  return SignedIn{std::move(saved), std::move(client)};
}

json::object call_json(SignedIn& session, server::ApiClient::Method method,
                       const std::string& target, const json::object* body,
                       const std::string& what) {
  server::ApiClient::Request request{
      .method = method, .target = target, .bearer = session.saved.session};
  if (body != nullptr) {
    request.body = json::serialize(*body);
    request.content_type = "application/json";
  }
  return expect_json(session.client.call(std::move(request)), what);
}

}  // namespace clueline::app
