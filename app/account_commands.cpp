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
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "client_commands.hpp"
#include "clueline/crypto/crypto.hpp"
#include "clueline/server/api_client.hpp"
#include "clueline/services/config.hpp"
#include "clueline/services/registry_json.hpp"
#include "clueline/services/totp.hpp"
#include "clueline/storage/accounts.hpp"
#include "files.hpp"
#include "options.hpp"
#include "output.hpp"
#include "registry.hpp"
#include "registry_online.hpp"
#include "session.hpp"

namespace clueline::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Method = server::ApiClient::Method;

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
  account.created_at = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
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
  print_result(options, account_json(account));
  return 0;
}

int account_list(const CommandOptions& options) {
  auto store = open_database(registry_data_dir(options), false);
  json::array listed;
  for (const auto& account : checked(storage::list_accounts(*store), "accounts")) {
    listed.push_back(account_json(account));
  }
  print_results(options, listed, "no accounts");
  return 0;
}

int account_unlock(const CommandOptions& options) {
  auto store = open_database(registry_data_dir(options), false);
  const std::uint32_t id = parse_id(options.required("--id"), "--id");
  auto account = checked(storage::get_account(*store, id), "--id " + std::to_string(id));
  // Unlocking lifts what failed sign-ins did; it does not undo a disabling.
  if (account.state != storage::AccountState::kLocked) {
    throw std::runtime_error("--id " + std::to_string(id) + ": the account is " +
                             std::string(storage::state_name(account.state)) + ", not locked");
  }
  account.state = storage::AccountState::kActive;
  account.failed_logins = 0;
  account.last_failed_at = 0;
  checked(storage::put_account(*store, account, "account.unlock"), "unlock");
  print_result(options, account_json(account));
  return 0;
}

// ---- against a running server -------------------------------------------------------

template <std::size_t N>
std::array<std::byte, N> fixed_bytes(const json::value& value, const std::string& what) {
  const auto bytes = checked(crypto::from_base64url(value.as_string()), what);
  if (bytes.size() != N)
    throw std::runtime_error(what + ": expected " + std::to_string(N) + " bytes");
  std::array<std::byte, N> out;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

// ---- administration against a running server (--server URL) --------------------------

int account_invite(const CommandOptions& options) {
  json::object body{{"account", options.required("--name")},
                    {"unit_id", parse_id(options.required("--unit"), "--unit")},
                    {"role", options.required("--role")}};
  SignedIn session = signed_in(options);
  json::object answer =
      call_json(session, Method::kPost, "/api/v1/admin/invitations", &body, "account invite");
  print_result(options, answer.at("invitation"));
  std::cerr << "clueline: give the code to the invitee in person or over a trusted channel; it "
               "is shown only once\n";
  return 0;
}

int account_list_online(const CommandOptions& options) {
  const std::uint32_t unit_id = parse_id(options.required("--unit"), "--unit");
  SignedIn session = signed_in(options);
  json::object answer =
      call_json(session, Method::kGet, "/api/v1/admin/accounts?unit=" + std::to_string(unit_id),
                nullptr, "account list");
  print_results(options, answer.at("accounts").as_array(), "no accounts");
  return 0;
}

int account_change(const CommandOptions& options, std::string_view change) {
  json::object body{{"account_id", parse_id(options.required("--id"), "--id")}, {"change", change}};
  SignedIn session = signed_in(options);
  json::object answer = call_json(session, Method::kPost, "/api/v1/admin/accounts/change", &body,
                                  "account " + std::string(change));
  print_result(options, answer.at("account"));
  return 0;
}

// The invitee's side: keys from a new passphrase, made here; the server
// gets only public keys and the proof.
int account_activate(const CommandOptions& options) {
  crypto::initialize();
  const std::string server_url = options.required("--server");
  const std::string ca_file =
      options.has("--ca-file") ? fs::absolute(options.required("--ca-file")).string() : "";
  const auto code_bytes = crypto::from_base64url(options.required("--invitation"));
  if (!code_bytes || code_bytes->size() != crypto::kInvitationCodeBytes) {
    throw UsageError("--invitation: the 43-character code of `clueline account invite`");
  }
  const crypto::KdfParams params = kdf_params(options);
  const Passphrase passphrase = read_passphrase(options, "new passphrase: ");
  std::array<std::byte, 16> salt{};
  crypto::random_bytes(salt);
  const crypto::AccountKeys keys =
      checked(crypto::derive_account_keys(passphrase.text(), salt, params), "passphrase");
  const crypto::Bytes proof = crypto::sign_activation(*code_bytes, keys.box.public_key, keys.auth);
  json::object body{
      {"invitation", crypto::to_base64url(*code_bytes)},
      {"salt", crypto::to_base64url(salt)},
      {"kdf", json::object{{"opslimit", params.opslimit}, {"memlimit", params.memlimit}}},
      {"auth_public_key", crypto::to_base64url(keys.auth.public_key.bytes)},
      {"box_public_key", crypto::to_base64url(keys.box.public_key.bytes)},
      {"proof", crypto::to_base64url(proof)},
      {"second_factor", options.has("--second-factor")}};
  server::ApiClient client = client_for(server_url, ca_file);
  json::object answer = expect_json(client.call({.method = Method::kPost,
                                                 .target = "/api/v1/auth/activate",
                                                 .body = json::serialize(body),
                                                 .content_type = "application/json"}),
                                    "account activate");
  json::object& account = answer.at("account").as_object();
  // Computed here from the keys made here, not taken from the server: this
  // is what the granting member compares.
  const std::string fingerprint =
      crypto::account_fingerprint(keys.auth.public_key, keys.box.public_key);
  json::object printed{{"account", account}, {"fingerprint", fingerprint}};
  if (const json::value* secret = answer.if_contains("totp_secret")) {
    const auto raw = checked(crypto::from_base64url(secret->as_string()), "totp_secret");
    const std::string text(reinterpret_cast<const char*>(raw.data()), raw.size());
    printed["totp_uri"] =
        services::totp_uri(std::string(account.at("login_name").as_string()), text);
    if (options.has("--totp-secret-out")) {
      replace_file(options.required("--totp-secret-out"), text, 0600);
    }
  }
  print_result(options, printed);
  std::cerr << "clueline: tell a member of your unit this fingerprint in person or by phone: "
            << fingerprint << "\n";
  return 0;
}

// The unit key of the signed-in member: from --unit-key-file, else unwrapped
// here from the member's own blob with its passphrase.
crypto::BoxKeyPair granting_key(const CommandOptions& options, SignedIn& session,
                                const std::string& key_id) {
  if (options.has("--unit-key-file")) {
    auto pair = checked(
        crypto::box_key_pair_from_secret(read_key_file(options.required("--unit-key-file"))),
        "--unit-key-file");
    if (crypto::to_base64url(crypto::key_id(pair.public_key)) != key_id) {
      throw std::runtime_error("--unit-key-file: not the unit key " + key_id);
    }
    return pair;
  }
  const json::object me = call_json(session, Method::kGet, "/api/v1/auth/me", nullptr, "whoami");
  for (const json::value& wrapped : me.at("account").at("wrapped_unit_keys").as_array()) {
    if (wrapped.at("key_id").as_string() != key_id) continue;
    const Passphrase passphrase = read_passphrase(options, "your passphrase: ");
    const auto blob = checked(crypto::from_base64url(wrapped.at("blob").as_string()), "blob");
    return checked(crypto::unwrap_unit_secret_key(blob, passphrase.text()),
                   "unwrapping your unit key");
  }
  throw std::runtime_error("you hold no wrapped copy of unit key " + key_id +
                           "; give --unit-key-file");
}

int account_grant(const CommandOptions& options) {
  crypto::initialize();
  const std::string name = options.required("--account");
  const std::string expected = options.required("--fingerprint");
  SignedIn session = signed_in(options);
  const json::object awaiting = call_json(session, Method::kGet, "/api/v1/accounts/awaiting-key",
                                          nullptr, "accounts awaiting a key");
  const json::object* target = nullptr;
  for (const json::value& account : awaiting.at("accounts").as_array()) {
    if (account.at("login_name").as_string() == name) target = &account.as_object();
  }
  if (target == nullptr) {
    throw std::runtime_error("account " + name +
                             " is not waiting for a key of your unit (not activated yet, of "
                             "another unit, or it has the key already)");
  }
  // Recomputed from the keys the server hands out: a server that swapped a
  // key cannot make it match the newcomer's own fingerprint.
  const auto auth_key = fixed_bytes<32>(target->at("auth_public_key"), "auth_public_key");
  const auto box_key = fixed_bytes<32>(target->at("box_public_key"), "box_public_key");
  const std::string fingerprint = crypto::account_fingerprint(crypto::SigningPublicKey{auth_key},
                                                              crypto::BoxPublicKey{box_key});
  if (!crypto::constant_time_equal(crypto::as_bytes(fingerprint), crypto::as_bytes(expected))) {
    throw std::runtime_error("--fingerprint does not match the keys the server gives for " + name +
                             " (" + fingerprint +
                             "): do not grant; ask the newcomer again and tell an administrator");
  }
  json::array granted;
  for (const json::value& key_id : target->at("missing_key_ids").as_array()) {
    const std::string id(key_id.as_string());
    const crypto::BoxKeyPair unit_key = granting_key(options, session, id);
    const crypto::Bytes grant =
        checked(crypto::seal_unit_key_grant(unit_key, crypto::BoxPublicKey{box_key}), "grant");
    json::object body{
        {"account_id", target->at("id")}, {"key_id", id}, {"grant", crypto::to_base64url(grant)}};
    call_json(session, Method::kPost, "/api/v1/accounts/grants", &body, "account grant");
    granted.push_back(json::value(id));
  }
  print_result(options, json::object{{"account", name}, {"granted_key_ids", granted}});
  return 0;
}

}  // namespace

int account(std::span<char*> args) {
  if (args.empty()) {
    throw UsageError(
        "account needs a subcommand: add, list, unlock (offline) or invite, activate, grant, "
        "list, disable, enable, unlock, reset-totp (--server URL)");
  }
  const std::string_view sub = args[0];
  const auto rest = args.subspan(1);
  if (sub == "activate") {
    return account_activate(
        CommandOptions(rest,
                       {"--server", "--ca-file", "--invitation", "--passphrase-file",
                        "--kdf-opslimit", "--kdf-memlimit", "--totp-secret-out"},
                       {}, {"--second-factor"}));
  }
  const bool online_only = sub == "invite" || sub == "grant" || sub == "disable" ||
                           sub == "enable" || sub == "reset-totp";
  if (online_only || wants_server(rest)) {
    if (sub == "invite") {
      return account_invite(CommandOptions(rest, {"--server", "--name", "--unit", "--role"}));
    }
    if (sub == "grant") {
      return account_grant(CommandOptions(rest, {"--server", "--account", "--fingerprint",
                                                 "--unit-key-file", "--passphrase-file"}));
    }
    if (sub == "list") return account_list_online(CommandOptions(rest, {"--server", "--unit"}));
    if (sub == "disable" || sub == "enable" || sub == "unlock" || sub == "reset-totp") {
      return account_change(CommandOptions(rest, {"--server", "--id"}),
                            sub == "reset-totp" ? "reset_second_factor" : sub);
    }
    throw UsageError("unknown account subcommand \"" + std::string(sub) +
                     "\" with --server; accepted: invite, grant, list, disable, enable, unlock, "
                     "reset-totp");
  }
  if (sub == "add") {
    return account_add(CommandOptions(
        rest, {"--data-dir", "--config", "--name", "--unit", "--role", "--passphrase-file",
               "--unit-key-file", "--totp-secret-file", "--kdf-opslimit", "--kdf-memlimit"}));
  }
  if (sub == "list") return account_list(CommandOptions(rest, {"--data-dir", "--config"}));
  if (sub == "unlock")
    return account_unlock(CommandOptions(rest, {"--data-dir", "--config", "--id"}));
  throw UsageError("unknown account subcommand \"" + std::string(sub) +
                   "\"; accepted offline: add, list, unlock; with --server URL: invite, grant, "
                   "list, disable, enable, unlock, reset-totp; and activate");
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
  print_result(options, json::object{{"account", answer.at("account")},
                                     {"expires_at", answer.at("expires_at")},
                                     {"session_file", file.string()}});
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
  print_result(options, json::object{{"signed_out", true}});
  return 0;
}

namespace {

// The unit keys of the signed-in account, opened here with its passphrase:
// its CLK1 blobs, and any grant waiting for it, which is then wrapped under
// its own wrap key and stored (POST /api/v1/auth/me/keys) so that the next
// unlock needs no grant. `me` is the answer of GET /api/v1/auth/me.
std::vector<crypto::BoxKeyPair> unlock_unit_keys(const CommandOptions& options, SignedIn& session,
                                                 const json::object& me) {
  const json::object& account = me.at("account").as_object();
  const auto salt = fixed_bytes<16>(account.at("salt"), "salt");
  const crypto::KdfParams params{
      .opslimit = account.at("kdf").at("opslimit").to_number<std::uint32_t>(),
      .memlimit = account.at("kdf").at("memlimit").to_number<std::uint64_t>()};
  const Passphrase passphrase = read_passphrase(options, "passphrase: ");
  const crypto::AccountKeys keys = checked(
      crypto::derive_account_keys(passphrase.text(), salt, params), "the account's KDF parameters");
  std::vector<crypto::BoxKeyPair> unlocked;
  for (const json::value& wrapped : account.at("wrapped_unit_keys").as_array()) {
    const auto blob = checked(crypto::from_base64url(wrapped.at("blob").as_string()), "blob");
    auto pair = crypto::unwrap_unit_secret_key(blob, keys);
    if (!pair) throw std::runtime_error("a unit key did not unwrap with this passphrase");
    unlocked.push_back(std::move(*pair));
  }
  for (const json::value& pending : account.at("pending_grants").as_array()) {
    const auto key_id = fixed_bytes<16>(pending.at("key_id"), "key_id");
    const auto grant = checked(crypto::from_base64url(pending.at("grant").as_string()), "grant");
    auto pair = crypto::open_unit_key_grant(grant, keys.box, key_id);
    if (!pair) {
      throw std::runtime_error("a unit-key grant did not open with this passphrase's box key");
    }
    const crypto::Bytes blob =
        checked(crypto::wrap_unit_secret_key(*pair, keys, salt, params), "wrap");
    json::object body{{"key_id", crypto::to_base64url(key_id)},
                      {"blob", crypto::to_base64url(blob)}};
    call_json(session, Method::kPost, "/api/v1/auth/me/keys", &body, "storing the wrapped key");
    unlocked.push_back(std::move(*pair));
  }
  return unlocked;
}

}  // namespace

int whoami(std::span<char*> args) {
  const CommandOptions options(args, {"--passphrase-file"}, {}, {"--unlock"});
  crypto::initialize();
  const SavedSession saved = load_session();
  SignedIn session{saved, client_for(saved.server, saved.ca_file)};
  json::object me = call_json(session, Method::kGet, "/api/v1/auth/me", nullptr, "whoami");
  json::object account = me.at("account").as_object();
  for (const std::string_view secretish : {"wrapped_unit_keys", "pending_grants", "salt", "kdf"}) {
    account.erase(secretish);
  }
  if (options.has("--unlock")) {
    // Unwrapped here, with the passphrase, on this device only: the server
    // holds blobs and grants it cannot open.
    json::array ids;
    for (const crypto::BoxKeyPair& pair : unlock_unit_keys(options, session, me)) {
      ids.emplace_back(crypto::to_base64url(crypto::key_id(pair.public_key)));
    }
    // Taking a grant changed the account: show it as it is now.
    json::object now = call_json(session, Method::kGet, "/api/v1/auth/me", nullptr, "whoami")
                           .at("account")
                           .as_object();
    for (const std::string_view secretish :
         {"wrapped_unit_keys", "pending_grants", "salt", "kdf"}) {
      now.erase(secretish);
    }
    account = std::move(now);
    account["unlocked_key_ids"] = std::move(ids);
  }
  print_result(options, account);
  return 0;
}

std::vector<crypto::BoxKeyPair> signed_in_unit_keys(const CommandOptions& options) {
  crypto::initialize();
  const SavedSession saved = load_session();
  SignedIn session{saved, client_for(saved.server, saved.ca_file)};
  const json::object me = call_json(session, Method::kGet, "/api/v1/auth/me", nullptr, "whoami");
  return unlock_unit_keys(options, session, me);
}

}  // namespace clueline::app
