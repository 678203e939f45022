// `clueline account add|list|unlock` (offline: bootstrap and recovery) and
// `clueline login|logout|whoami` (against a running server). The passphrase
// is read from the terminal without echo, or from --passphrase-file; never
// from argv or the environment. It is turned into keys here and never sent.
#include "account_commands.hpp"

#include <termios.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "client_commands.hpp"
#include "clueline/crypto/crypto.hpp"
#include "clueline/server/api_client.hpp"
#include "clueline/services/config.hpp"
#include "clueline/services/registry_json.hpp"
#include "clueline/storage/accounts.hpp"
#include "files.hpp"
#include "options.hpp"
#include "registry.hpp"

namespace clueline::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Method = server::ApiClient::Method;

// A passphrase held in a std::string for the moment it is needed; wiped
// when it goes.
class Passphrase {
 public:
  explicit Passphrase(std::string text) : text_(std::move(text)) {}
  ~Passphrase() { crypto::wipe(std::as_writable_bytes(std::span(text_.data(), text_.size()))); }
  Passphrase(const Passphrase&) = delete;
  Passphrase& operator=(const Passphrase&) = delete;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

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

using services::account_json;

// ---- offline ---------------------------------------------------------------------

int account_add(const CommandOptions& options) {
  crypto::initialize();
  const std::string name = options.required("--name");
  if (!storage::valid_login_name(name)) {
    throw UsageError(
        "--name: account names are 1 to 64 of a-z, 0-9, '.', '_' and '-', starting "
        "with a letter or digit");
  }
  const auto role = storage::parse_role(options.required("--role"));
  if (!role) throw UsageError("--role: one of handler, unit_admin, auditor, admin");
  const std::uint32_t unit_id = parse_id(options.required("--unit"), "--unit");
  const bool works_clues = *role == storage::Role::kHandler || *role == storage::Role::kUnitAdmin;
  if (works_clues != options.has("--unit-key-file")) {
    throw UsageError(works_clues ? "a handler or unit_admin needs --unit-key-file (the unit's "
                                   ".key from keygen unit) to unwrap clues"
                                 : "--unit-key-file is only for handler and unit_admin accounts");
  }
  const crypto::KdfParams params = kdf_params(options);
  const Passphrase passphrase = read_passphrase(options, "passphrase for " + name + ": ");

  storage::Account account;
  account.login_name = name;
  account.unit_id = unit_id;
  account.role = *role;
  crypto::random_bytes(account.salt);
  account.kdf_opslimit = params.opslimit;
  account.kdf_memlimit = params.memlimit;
  const crypto::AccountKeys keys =
      checked(crypto::derive_account_keys(passphrase.text(), account.salt, params), "passphrase");
  account.auth_public_key = keys.auth.public_key.bytes;
  if (options.has("--totp-secret-file")) {
    account.totp_secret = read_text(options.required("--totp-secret-file"));
    while (!account.totp_secret.empty() && account.totp_secret.back() == '\n') {
      account.totp_secret.pop_back();
    }
    if (account.totp_secret.size() < 16 || account.totp_secret.size() > 64) {
      throw UsageError("--totp-secret-file must hold 16 to 64 bytes");
    }
  }

  auto store = open_database(registry_data_dir(options), false);
  if (works_clues) {
    const auto secret = read_key_file(options.required("--unit-key-file"));
    const auto unit_key = checked(crypto::box_key_pair_from_secret(secret), "--unit-key-file");
    const auto unit =
        checked(storage::get_unit(*store, unit_id), "--unit " + std::to_string(unit_id));
    const crypto::KeyId key_id = crypto::key_id(unit_key.public_key);
    const bool registered = std::any_of(unit.keys.begin(), unit.keys.end(),
                                        [&](const auto& key) { return key.key_id == key_id; });
    if (!registered) {
      throw std::runtime_error("--unit-key-file: not a key of unit " + std::to_string(unit_id) +
                               " (" + unit.name + ")");
    }
    const auto blob =
        checked(crypto::wrap_unit_secret_key(unit_key, keys, account.salt, params), "wrap");
    account.wrapped_keys.push_back(
        {.key_id = key_id,
         .blob = std::string(reinterpret_cast<const char*>(blob.data()), blob.size())});
  }
  auto id = storage::add_account(*store, account);
  if (!id && id.error() == errc::conflict) {
    throw std::runtime_error("--name: the account name " + name + " is taken");
  }
  if (!id && id.error() == errc::invalid_argument) {
    throw std::runtime_error("--unit: no unit " + std::to_string(unit_id));
  }
  account.id = checked(std::move(id), "account add");
  std::cout << json::serialize(account_json(account)) << '\n';
  return 0;
}

int account_list(const CommandOptions& options) {
  auto store = open_database(registry_data_dir(options), false);
  for (const auto& account : checked(storage::list_accounts(*store), "accounts")) {
    std::cout << json::serialize(account_json(account)) << '\n';
  }
  return 0;
}

int account_unlock(const CommandOptions& options) {
  auto store = open_database(registry_data_dir(options), false);
  const std::uint32_t id = parse_id(options.required("--id"), "--id");
  auto account = checked(storage::get_account(*store, id), "--id " + std::to_string(id));
  account.state = storage::AccountState::kActive;
  account.failed_logins = 0;
  account.last_failed_at = 0;
  checked(storage::put_account(*store, account, "account.unlock"), "unlock");
  std::cout << json::serialize(account_json(account)) << '\n';
  return 0;
}

// ---- against a running server -------------------------------------------------------

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

template <std::size_t N>
std::array<std::byte, N> fixed_bytes(const json::value& value, const std::string& what) {
  const auto bytes = checked(crypto::from_base64url(value.as_string()), what);
  if (bytes.size() != N)
    throw std::runtime_error(what + ": expected " + std::to_string(N) + " bytes");
  std::array<std::byte, N> out;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

struct SavedSession {
  std::string server;
  std::string ca_file;
  std::string session;
};

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

}  // namespace

int account(std::span<char*> args) {
  if (args.empty()) throw UsageError("account needs a subcommand: add, list or unlock");
  const std::string_view sub = args[0];
  const auto rest = args.subspan(1);
  if (sub == "add") {
    return account_add(CommandOptions(
        rest, {"--data-dir", "--config", "--name", "--unit", "--role", "--passphrase-file",
               "--unit-key-file", "--totp-secret-file", "--kdf-opslimit", "--kdf-memlimit"}));
  }
  if (sub == "list") return account_list(CommandOptions(rest, {"--data-dir", "--config"}));
  if (sub == "unlock")
    return account_unlock(CommandOptions(rest, {"--data-dir", "--config", "--id"}));
  throw UsageError("unknown account subcommand \"" + std::string(sub) +
                   "\"; accepted: add, list, unlock");
}

int login(std::span<char*> args) {
  const CommandOptions options(
      args, {"--server", "--ca-file", "--account", "--passphrase-file", "--totp"});
  crypto::initialize();
  const std::string server_url = options.required("--server");
  const std::string ca_file =
      options.has("--ca-file") ? fs::absolute(options.required("--ca-file")).string() : "";
  const std::string name = options.required("--account");
  server::ApiClient client = client_for(server_url, ca_file);
  const Passphrase passphrase = read_passphrase(options, "passphrase for " + name + ": ");

  const json::object challenge =
      expect_json(client.call({.method = Method::kPost,
                               .target = "/api/v1/auth/challenge",
                               .body = json::serialize(json::object{{"account", name}}),
                               .content_type = "application/json"}),
                  "challenge");
  const auto salt = fixed_bytes<16>(challenge.at("salt"), "salt");
  const crypto::KdfParams params{
      .opslimit =
          static_cast<std::uint32_t>(challenge.at("kdf").at("opslimit").to_number<std::int64_t>()),
      .memlimit =
          static_cast<std::uint64_t>(challenge.at("kdf").at("memlimit").to_number<std::int64_t>())};
  // Bounded by the accepted range, so a hostile server cannot make this
  // device burn unbounded memory.
  const crypto::AccountKeys keys = checked(
      crypto::derive_account_keys(passphrase.text(), salt, params), "the server's KDF parameters");
  const auto challenge_bytes = fixed_bytes<32>(challenge.at("challenge"), "challenge");
  const crypto::Bytes proof = crypto::sign_login_challenge(challenge_bytes, keys.auth);
  json::object request{{"account", name},
                       {"challenge", crypto::to_base64url(challenge_bytes)},
                       {"proof", crypto::to_base64url(proof)},
                       {"client", "cli"}};
  if (options.has("--totp")) request["totp"] = options.required("--totp");
  const json::object answer = expect_json(client.call({.method = Method::kPost,
                                                       .target = "/api/v1/auth/login",
                                                       .body = json::serialize(request),
                                                       .content_type = "application/json"}),
                                          "login");
  const fs::path file = session_file();
  fs::create_directories(file.parent_path());
  fs::permissions(file.parent_path(), fs::perms::owner_all, fs::perm_options::replace);
  replace_file(file,
               json::serialize(json::object{{"server", server_url},
                                            {"ca_file", ca_file},
                                            {"account", name},
                                            {"session", answer.at("session")},
                                            {"expires_at", answer.at("expires_at")}}) +
                   "\n",
               0600);
  std::cout << json::serialize(json::object{{"account", answer.at("account")},
                                            {"expires_at", answer.at("expires_at")},
                                            {"session_file", file.string()}})
            << '\n';
  return 0;
}

int logout(std::span<char*> args) {
  const CommandOptions options(args, {});
  const SavedSession saved = load_session();
  server::ApiClient client = client_for(saved.server, saved.ca_file);
  const auto answer = client.call(
      {.method = Method::kPost, .target = "/api/v1/auth/logout", .bearer = saved.session});
  std::error_code ignored;
  fs::remove(session_file(), ignored);
  // An expired session is as good as ended.
  if (answer.status != 401) expect_json(answer, "logout");
  std::cout << json::serialize(json::object{{"signed_out", true}}) << '\n';
  return 0;
}

int whoami(std::span<char*> args) {
  const CommandOptions options(args, {"--passphrase-file"}, {}, {"--unlock"});
  crypto::initialize();
  const SavedSession saved = load_session();
  server::ApiClient client = client_for(saved.server, saved.ca_file);
  json::object me = expect_json(
      client.call({.method = Method::kGet, .target = "/api/v1/auth/me", .bearer = saved.session}),
      "whoami");
  json::object& account = me.at("account").as_object();
  json::array blobs = std::move(account.at("wrapped_unit_keys").as_array());
  account.erase("wrapped_unit_keys");
  json::array key_ids;
  for (const auto& blob : blobs) key_ids.push_back(blob.at("key_id"));
  account["wrapped_key_ids"] = std::move(key_ids);
  if (options.has("--unlock")) {
    // Unwrapped here, with the passphrase, on this device only: the server
    // holds blobs it cannot open.
    const Passphrase passphrase = read_passphrase(options, "passphrase: ");
    json::array unlocked;
    for (const auto& blob : blobs) {
      const auto bytes = checked(crypto::from_base64url(blob.at("blob").as_string()), "blob");
      auto pair = crypto::unwrap_unit_secret_key(bytes, passphrase.text());
      if (!pair) throw std::runtime_error("a unit key did not unwrap with this passphrase");
      unlocked.emplace_back(crypto::to_base64url(crypto::key_id(pair->public_key)));
    }
    account["unlocked_key_ids"] = std::move(unlocked);
  }
  std::cout << json::serialize(account) << '\n';
  return 0;
}

}  // namespace clueline::app
