#include "registry_online.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <string>

#include "clueline/crypto/crypto.hpp"
#include "clueline/crypto/site_token.hpp"
#include "clueline/storage/records.hpp"
#include "files.hpp"
#include "options.hpp"
#include "output.hpp"
#include "registry.hpp"
#include "session.hpp"

namespace clueline::app {
namespace {

namespace json = boost::json;
using Method = server::ApiClient::Method;

json::object deployment(SignedIn& session) {
  return call_json(session, Method::kGet, "/api/v1/admin/deployment", nullptr, "deployment");
}

// Throws unless the deployment `info` records `key` (or records none yet:
// the first signed change records it).
void require_recorded_key(const json::object& info, const crypto::SigningKeyPair& key,
                          const std::string& key_file) {
  const json::value& recorded = info.at("deployment");
  if (recorded.is_object() && recorded.at("site_signing_public_key").as_string() !=
                                  crypto::to_base64url(key.public_key.bytes)) {
    throw std::runtime_error(key_file +
                             ": not this deployment's site-signing key (its tokens would not "
                             "verify)");
  }
}

// The site as the server answered, plus its token signed here and the
// poster URL.
json::object signed_site(json::object site, const crypto::SigningKeyPair& key,
                         std::string_view base_url) {
  const auto id = site.at("id").to_number<std::uint32_t>();
  const auto version = site.at("token_version").to_number<std::uint16_t>();
  const std::string token = crypto::sign_site_token({id, version}, key);
  site["token"] = token;
  site["url"] = site_url(base_url, token);
  return site;
}

// Poster URLs point at the server the command talks to unless told otherwise.
std::string online_base_url(const CommandOptions& options) {
  return normalize_base_url(options.value_or("--base-url", options.required("--server")));
}

// Certifies `public_key_file` for `unit` (as the server answered it) with
// the signing key and sends it; the server's answer.
json::object add_certified_key(SignedIn& session, const json::object& unit,
                               const CommandOptions& options) {
  crypto::initialize();
  const crypto::SigningKeyPair signing = read_signing_key_file(options.required("--signing-key"));
  const crypto::BoxPublicKey public_key =
      read_box_public_key_file(options.required("--public-key"));
  storage::Unit certified;
  certified.id = unit.at("id").to_number<std::uint32_t>();
  certified.parent_id = unit.at("parent_id").to_number<std::uint32_t>();
  certified.level = unit.at("level").as_string();
  const std::string certificate =
      unit_key_certificate(certified, public_key, signing, certificate_days(options));
  json::object body{{"unit_id", certified.id},
                    {"certificate", crypto::to_base64url(crypto::as_bytes(certificate))},
                    {"site_signing_public_key", crypto::to_base64url(signing.public_key.bytes)}};
  return call_json(session, Method::kPost, "/api/v1/admin/units/keys", &body, "unit add-key")
      .at("unit")
      .as_object();
}

// The unit `id` as the server lists it.
json::object listed_unit(SignedIn& session, std::uint32_t id) {
  for (const json::value& unit : deployment(session).at("units").as_array()) {
    if (unit.at("id").to_number<std::uint32_t>() == id) return unit.as_object();
  }
  throw std::runtime_error("--id " + std::to_string(id) + ": no such unit");
}

int unit_add(std::span<char*> args) {
  const CommandOptions options(args, {"--server", "--name", "--level", "--parent", "--public-key",
                                      "--signing-key", "--valid-days"});
  if (options.has("--public-key") != options.has("--signing-key")) {
    throw UsageError("--public-key needs --signing-key (the key is certified for the unit)");
  }
  json::object body{{"name", options.required("--name")}, {"level", options.required("--level")}};
  if (options.has("--parent"))
    body["parent_id"] = parse_id(options.required("--parent"), "--parent");
  SignedIn session = signed_in(options);
  if (options.has("--public-key")) {
    // Checked before the unit is added, so that a wrong key file does not
    // leave a unit without its key.
    crypto::initialize();
    require_recorded_key(deployment(session),
                         read_signing_key_file(options.required("--signing-key")),
                         options.required("--signing-key"));
  }
  json::object unit = call_json(session, Method::kPost, "/api/v1/admin/units", &body, "unit add")
                          .at("unit")
                          .as_object();
  // The certificate names the unit's id, which adding it assigned.
  if (options.has("--public-key")) unit = add_certified_key(session, unit, options);
  print_result(options, unit);
  return 0;
}

int unit_list(std::span<char*> args) {
  const CommandOptions options(args, {"--server"});
  SignedIn session = signed_in(options);
  print_results(options, deployment(session).at("units").as_array(), "no units");
  return 0;
}

int unit_add_key(std::span<char*> args) {
  const CommandOptions options(
      args, {"--server", "--id", "--public-key", "--signing-key", "--valid-days"});
  const std::uint32_t id = parse_id(options.required("--id"), "--id");
  options.required("--public-key");
  options.required("--signing-key");
  SignedIn session = signed_in(options);
  print_result(options, add_certified_key(session, listed_unit(session, id), options));
  return 0;
}

int unit_deactivate(std::span<char*> args) {
  const CommandOptions options(args, {"--server", "--id"});
  json::object body{{"unit_id", parse_id(options.required("--id"), "--id")}};
  SignedIn session = signed_in(options);
  print_result(options, call_json(session, Method::kPost, "/api/v1/admin/units/deactivate", &body,
                                  "unit deactivate")
                            .at("unit"));
  return 0;
}

int site_add(std::span<char*> args) {
  const CommandOptions options(
      args, {"--server", "--name", "--unit", "--kind", "--signing-key", "--base-url"});
  crypto::initialize();
  const std::string base_url = online_base_url(options);
  const crypto::SigningKeyPair key = read_signing_key_file(options.required("--signing-key"));
  json::object body{{"name", options.required("--name")},
                    {"unit_id", parse_id(options.required("--unit"), "--unit")},
                    {"kind", options.required("--kind")},
                    {"site_signing_public_key", crypto::to_base64url(key.public_key.bytes)}};
  SignedIn session = signed_in(options);
  json::object site = call_json(session, Method::kPost, "/api/v1/admin/sites", &body, "site add")
                          .at("site")
                          .as_object();
  print_result(options, signed_site(std::move(site), key, base_url));
  return 0;
}

int site_list(std::span<char*> args) {
  const CommandOptions options(args, {"--server", "--signing-key", "--base-url"});
  crypto::initialize();
  if (options.has("--base-url") && !options.has("--signing-key")) {
    throw UsageError("--base-url needs --signing-key (URLs carry signed tokens)");
  }
  SignedIn session = signed_in(options);
  json::array sites = deployment(session).at("sites").as_array();
  if (options.has("--signing-key")) {
    const crypto::SigningKeyPair key = read_signing_key_file(options.required("--signing-key"));
    const std::string base_url = online_base_url(options);
    for (json::value& site : sites) site = signed_site(site.as_object(), key, base_url);
  }
  print_results(options, sites, "no sites");
  return 0;
}

int site_revoke(std::span<char*> args) {
  const CommandOptions options(args, {"--server", "--id", "--signing-key", "--base-url"});
  crypto::initialize();
  const std::string base_url = online_base_url(options);
  const crypto::SigningKeyPair key = read_signing_key_file(options.required("--signing-key"));
  SignedIn session = signed_in(options);
  // Checked first, so that a wrong key cannot revoke a poster and then fail
  // to sign its replacement.
  const json::object info = deployment(session);
  if (!info.at("deployment").is_object()) {
    throw std::runtime_error(options.required("--signing-key") +
                             ": not this deployment's site-signing key (its tokens would not "
                             "verify)");
  }
  require_recorded_key(info, key, options.required("--signing-key"));
  json::object body{{"site_id", parse_id(options.required("--id"), "--id")}};
  json::object site =
      call_json(session, Method::kPost, "/api/v1/admin/sites/revoke", &body, "site revoke")
          .at("site")
          .as_object();
  print_result(options, signed_site(std::move(site), key, base_url));
  return 0;
}

}  // namespace

bool wants_server(std::span<char*> args) {
  for (const char* arg : args) {
    if (std::string_view(arg) == "--server") return true;
  }
  return false;
}

int unit_online(std::string_view action, std::span<char*> args) {
  if (action == "add") return unit_add(args);
  if (action == "list") return unit_list(args);
  if (action == "add-key") return unit_add_key(args);
  if (action == "deactivate") return unit_deactivate(args);
  throw UsageError("unit needs an action: add, list, add-key or deactivate");
}

int site_online(std::string_view action, std::span<char*> args) {
  if (action == "add") return site_add(args);
  if (action == "list") return site_list(args);
  if (action == "revoke") return site_revoke(args);
  throw UsageError("with --server, site takes add, list or revoke (site qr works offline)");
}

}  // namespace clueline::app
