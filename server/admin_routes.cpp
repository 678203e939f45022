#include "admin_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstring>
#include <functional>
#include <string>
#include <variant>

#include "auth_routes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/unit_key_certificate.hpp"
#include "clueline/services/audit_log.hpp"
#include "clueline/services/registry_json.hpp"
#include "json_request.hpp"
#include "responses.hpp"

namespace clueline::server {
namespace {

namespace json = boost::json;
using services::AdminContext;

constexpr std::size_t kSmallJson = 8192;

std::string b64(std::span<const std::byte> bytes) { return crypto::to_base64url(bytes); }

json::object audit_page_json(const services::AuditPage& page) {
  json::array entries;
  for (const services::AuditPageEntry& shown : page.entries) {
    entries.push_back(shown.withheld ? services::withheld_audit_entry_json(shown.entry)
                                     : services::audit_entry_json(shown.entry));
  }
  return {{"head", services::audit_head_json(page.head)},
          {"unit_id", page.unit_id},
          {"whole_log", page.whole_log},
          {"entries", std::move(entries)}};
}

template <std::size_t N>
std::array<std::byte, N> to_array(const std::vector<std::byte>& bytes) {
  std::array<std::byte, N> out{};
  std::memcpy(out.data(), bytes.data(), N);
  return out;
}

// The registry as the directory shows it: no account count.
json::object directory_json(const services::DeploymentInfo& info) {
  const services::RegistrySnapshot& registry = *info.registry;
  json::array units;
  std::vector<std::uint32_t> ids;
  for (const auto& [id, unit] : registry.units) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (const std::uint32_t id : ids) units.push_back(services::unit_json(*registry.unit(id)));
  ids.clear();
  for (const auto& [id, site] : registry.sites) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  json::array sites;
  for (const std::uint32_t id : ids) sites.push_back(services::site_json(*registry.site(id)));
  json::array levels(info.levels.begin(), info.levels.end());
  json::array categories(info.categories.begin(), info.categories.end());
  json::value deployment = nullptr;
  if (registry.deployment) {
    deployment = json::object{
        {"site_signing_public_key", b64(registry.deployment->site_signing_public_key)}};
  }
  return {{"deployment", std::move(deployment)},
          {"levels", std::move(levels)},
          {"categories", std::move(categories)},
          {"units", std::move(units)},
          {"sites", std::move(sites)}};
}

json::object deployment_json(const services::DeploymentInfo& info) {
  json::object body = directory_json(info);
  body["accounts"] = info.accounts;
  return body;
}

// ---- handlers -----------------------------------------------------------------------
//
// Each: the actor (or 401/403), the body (or 400), one service call.

asio::awaitable<Response> serve_deployment(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto info = co_await services::deployment_info(*context, std::get<services::Actor>(actor));
  if (!info) co_return refusal_response(request, info.error());
  co_return json_response(request, http::status::ok, deployment_json(*info));
}

asio::awaitable<Response> serve_directory(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto info = services::directory_info(*context, std::get<services::Actor>(actor));
  if (!info) co_return refusal_response(request, info.error());
  co_return json_response(request, http::status::ok, directory_json(*info));
}

asio::awaitable<Response> serve_add_unit(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto parsed = body_of(request, {"name", "level", "parent_id"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const JsonRequest& body = std::get<JsonRequest>(parsed);
  services::NewUnit unit;
  const auto name = body.text("name");
  const auto level = body.text("level", 64);
  if (!name || !level) co_return bad_request(request, "name and level are required strings");
  unit.name = *name;
  unit.level = *level;
  if (body.has("parent_id")) {
    const auto parent = body.id("parent_id");
    if (!parent) co_return bad_request(request, "parent_id must be a unit id (1..4294967295)");
    unit.parent_id = *parent;
  }
  auto added =
      co_await services::add_unit(*context, std::get<services::Actor>(actor), std::move(unit));
  if (!added) co_return refusal_response(request, added.error());
  co_return json_response(request, http::status::created,
                          json::object{{"unit", services::unit_json(*added)}});
}

asio::awaitable<Response> serve_add_unit_key(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto parsed = body_of(request, {"unit_id", "certificate", "site_signing_public_key"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const JsonRequest& body = std::get<JsonRequest>(parsed);
  const auto unit_id = body.id("unit_id");
  const auto certificate = body.bytes_up_to("certificate", crypto::kMaxUnitKeyCertificateBytes);
  const auto signing_key = body.bytes("site_signing_public_key", 32);
  if (!unit_id || !certificate || !signing_key) {
    co_return bad_request(request,
                          "expected unit_id, certificate (base64url, crypto-spec §3.1) and "
                          "site_signing_public_key (the Ed25519 key it was signed with)");
  }
  services::NewUnitKey key;
  key.unit_id = *unit_id;
  key.certificate.assign(reinterpret_cast<const char*>(certificate->data()), certificate->size());
  key.deployment_key.bytes = to_array<32>(*signing_key);
  auto unit =
      co_await services::add_unit_key(*context, std::get<services::Actor>(actor), std::move(key));
  if (!unit) co_return refusal_response(request, unit.error());
  co_return json_response(request, http::status::ok,
                          json::object{{"unit", services::unit_json(*unit)}});
}

asio::awaitable<Response> serve_deactivate_unit(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto parsed = body_of(request, {"unit_id"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const auto unit_id = std::get<JsonRequest>(parsed).id("unit_id");
  if (!unit_id) co_return bad_request(request, "expected unit_id");
  auto unit =
      co_await services::deactivate_unit(*context, std::get<services::Actor>(actor), *unit_id);
  if (!unit) co_return refusal_response(request, unit.error());
  co_return json_response(request, http::status::ok,
                          json::object{{"unit", services::unit_json(*unit)}});
}

asio::awaitable<Response> serve_add_site(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto parsed = body_of(request, {"name", "unit_id", "kind", "site_signing_public_key"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const JsonRequest& body = std::get<JsonRequest>(parsed);
  const auto name = body.text("name");
  const auto unit_id = body.id("unit_id");
  const auto kind = body.text("kind", 64);
  const auto key = body.bytes("site_signing_public_key", 32);
  if (!name || !unit_id || !kind || !key) {
    co_return bad_request(request,
                          "expected name, unit_id, kind and site_signing_public_key (the Ed25519 "
                          "public key the client signs tokens with, 32 bytes of base64url)");
  }
  services::NewSite site{.name = *name,
                         .unit_id = *unit_id,
                         .kind = *kind,
                         .site_signing_public_key = {to_array<32>(*key)}};
  auto added =
      co_await services::add_site(*context, std::get<services::Actor>(actor), std::move(site));
  if (!added) co_return refusal_response(request, added.error());
  co_return json_response(request, http::status::created,
                          json::object{{"site", services::site_json(*added)}});
}

asio::awaitable<Response> serve_revoke_site(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto parsed = body_of(request, {"site_id"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const auto site_id = std::get<JsonRequest>(parsed).id("site_id");
  if (!site_id) co_return bad_request(request, "expected site_id");
  auto site = co_await services::revoke_site(*context, std::get<services::Actor>(actor), *site_id);
  if (!site) co_return refusal_response(request, site.error());
  co_return json_response(request, http::status::ok,
                          json::object{{"site", services::site_json(*site)}});
}

asio::awaitable<Response> serve_invite(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto parsed = body_of(request, {"account", "unit_id", "role"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const JsonRequest& body = std::get<JsonRequest>(parsed);
  const auto name = body.text("account", 64);
  const auto unit_id = body.id("unit_id");
  const auto role_text = body.text("role", 32);
  const auto role = role_text ? storage::parse_role(*role_text) : std::nullopt;
  if (!name || !unit_id || !role) {
    co_return bad_request(request,
                          "expected account, unit_id and role (handler, unit_admin, auditor or "
                          "admin)");
  }
  auto issued = co_await services::invite_account(*context, std::get<services::Actor>(actor), *name,
                                                  *unit_id, *role);
  if (!issued) co_return refusal_response(request, issued.error());
  const storage::Invitation& invitation = issued->invitation;
  co_return json_response(
      request, http::status::created,
      json::object{{"invitation",
                    json::object{{"code", b64(issued->code)},
                                 {"account", invitation.login_name},
                                 {"unit_id", invitation.unit_id},
                                 {"role", storage::role_name(invitation.role)},
                                 {"expires_at", services::time_json(invitation.expires_at)}}}});
}

asio::awaitable<Response> serve_unit_accounts(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  const auto unit_id = query_id(request, "unit");
  if (!unit_id) co_return bad_request(request, "expected ?unit=ID");
  auto accounts =
      co_await services::unit_accounts(*context, std::get<services::Actor>(actor), *unit_id);
  if (!accounts) co_return refusal_response(request, accounts.error());
  json::array listed;
  for (const storage::Account& account : *accounts) {
    listed.push_back(services::account_json(account));
  }
  co_return json_response(request, http::status::ok, json::object{{"accounts", std::move(listed)}});
}

asio::awaitable<Response> serve_change_account(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto parsed = body_of(request, {"account_id", "change"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const JsonRequest& body = std::get<JsonRequest>(parsed);
  const auto account_id = body.id("account_id");
  const auto change_text = body.text("change", 32);
  const auto change = change_text ? services::parse_account_change(*change_text) : std::nullopt;
  if (!account_id || !change) {
    co_return bad_request(
        request, "expected account_id and change (disable, enable, unlock, reset_second_factor)");
  }
  auto account = co_await services::change_account(*context, std::get<services::Actor>(actor),
                                                   *account_id, *change);
  if (!account) co_return refusal_response(request, account.error());
  co_return json_response(request, http::status::ok,
                          json::object{{"account", services::account_json(*account)}});
}

asio::awaitable<Response> serve_activate(AdminContext* context, Request request) {
  auto parsed = body_of(request, {"invitation", "salt", "kdf", "auth_public_key", "box_public_key",
                                  "proof", "second_factor"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const JsonRequest& body = std::get<JsonRequest>(parsed);
  const auto code = body.bytes("invitation", crypto::kInvitationCodeBytes);
  const auto salt = body.bytes("salt", 16);
  const auto auth_key = body.bytes("auth_public_key", 32);
  const auto box_key = body.bytes("box_public_key", 32);
  const auto proof = body.bytes("proof", crypto::kActivationProofBytes);
  const json::value* kdf = body.object().if_contains("kdf");
  const json::object* kdf_object = kdf != nullptr ? kdf->if_object() : nullptr;
  const json::value* opslimit = kdf_object ? kdf_object->if_contains("opslimit") : nullptr;
  const json::value* memlimit = kdf_object ? kdf_object->if_contains("memlimit") : nullptr;
  if (!code || !salt || !auth_key || !box_key || !proof || opslimit == nullptr ||
      memlimit == nullptr || !opslimit->is_number() || !memlimit->is_number()) {
    co_return bad_request(request,
                          "expected invitation (32 bytes), salt (16), kdf {opslimit, memlimit}, "
                          "auth_public_key (32), box_public_key (32), proof (64), all base64url");
  }
  boost::system::error_code ec1, ec2;
  const auto ops = opslimit->to_number<std::uint32_t>(ec1);
  const auto mem = memlimit->to_number<std::uint64_t>(ec2);
  if (ec1 || ec2) co_return bad_request(request, "kdf opslimit and memlimit must be integers");
  services::Activation activation;
  activation.code = to_array<crypto::kInvitationCodeBytes>(*code);
  activation.salt = to_array<16>(*salt);
  activation.kdf = {.opslimit = ops, .memlimit = mem};
  activation.auth_public_key = crypto::SigningPublicKey{to_array<32>(*auth_key)};
  activation.box_public_key = crypto::BoxPublicKey{to_array<32>(*box_key)};
  activation.proof = *proof;
  if (body.has("second_factor") && !body.boolean("second_factor")) {
    co_return bad_request(request, "second_factor must be true or false");
  }
  if (kdf_object->size() != 2) {
    co_return bad_request(request, "kdf has exactly the members opslimit and memlimit");
  }
  activation.second_factor = body.boolean("second_factor").value_or(false);
  auto activated = co_await services::activate_account(*context, std::move(activation));
  if (!activated) co_return refusal_response(request, activated.error());
  json::object answer{{"account", services::account_json(activated->account)}};
  if (!activated->totp_secret.empty()) {
    answer["totp_secret"] = b64(crypto::as_bytes(activated->totp_secret));
  }
  co_return json_response(request, http::status::created, answer);
}

asio::awaitable<Response> serve_awaiting_key(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto awaiting =
      co_await services::accounts_awaiting_key(*context, std::get<services::Actor>(actor));
  if (!awaiting) co_return refusal_response(request, awaiting.error());
  json::array listed;
  for (const services::AwaitingKey& entry : *awaiting) {
    json::object object = services::account_json(entry.account);
    json::array missing;
    for (const auto& key_id : entry.missing_key_ids) missing.emplace_back(b64(key_id));
    object["missing_key_ids"] = std::move(missing);
    listed.push_back(std::move(object));
  }
  co_return json_response(request, http::status::ok, json::object{{"accounts", std::move(listed)}});
}

asio::awaitable<Response> serve_grant(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto parsed = body_of(request, {"account_id", "key_id", "grant"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const JsonRequest& body = std::get<JsonRequest>(parsed);
  const auto account_id = body.id("account_id");
  const auto key_id = body.bytes("key_id", 16);
  const auto grant = body.bytes("grant", crypto::kUnitKeyGrantBytes);
  if (!account_id || !key_id || !grant) {
    co_return bad_request(request,
                          "expected account_id, key_id (16 bytes) and grant (80 bytes), base64url");
  }
  auto account = co_await services::grant_unit_key(
      *context, std::get<services::Actor>(actor), *account_id, to_array<16>(*key_id),
      std::string(reinterpret_cast<const char*>(grant->data()), grant->size()));
  if (!account) co_return refusal_response(request, account.error());
  co_return json_response(request, http::status::ok,
                          json::object{{"account", services::account_json(*account)}});
}

asio::awaitable<Response> serve_store_key(AdminContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto parsed = body_of(request, {"key_id", "blob"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const JsonRequest& body = std::get<JsonRequest>(parsed);
  const auto key_id = body.bytes("key_id", 16);
  const auto blob = body.bytes("blob", crypto::kWrappedKeyBytes);
  if (!key_id || !blob) {
    co_return bad_request(request, "expected key_id (16 bytes) and blob (116 bytes), base64url");
  }
  auto account = co_await services::store_own_wrapped_key(
      *context, std::get<services::Actor>(actor), to_array<16>(*key_id),
      std::string(reinterpret_cast<const char*>(blob->data()), blob->size()));
  if (!account) co_return refusal_response(request, account.error());
  co_return json_response(request, http::status::ok,
                          json::object{{"account", services::account_json(*account)}});
}

asio::awaitable<Response> serve_audit(services::AuthContext* context, Request request) {
  auto actor = signed_in_actor(request, *context);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  const auto unit = query_number(request, "unit");
  const auto from = query_number(request, "from");
  const auto limit = query_number(request, "limit");
  if (!unit || !from || !limit) {
    co_return bad_request(request,
                          "unit, from and limit are whole numbers (unit: a unit id, default your "
                          "own; from: a seq, default 1; limit: 1 to 1000, default 100)");
  }
  auto page =
      co_await services::read_audit_log(*context, std::get<services::Actor>(actor),
                                        unit->value_or(0), from->value_or(1), limit->value_or(100));
  if (!page) co_return refusal_response(request, page.error());
  co_return json_response(request, http::status::ok, audit_page_json(*page));
}

template <auto Function>
Handler bind_context(AdminContext* context) {
  return std::bind_front(Function, context);
}

}  // namespace

void add_admin_routes(Router& router, AdminContext* context) {
  const auto add = [&](http::verb method, std::string path, std::string name, Handler handler) {
    router.add({.method = method,
                .path = std::move(path),
                .name = std::move(name),
                .body_limit = method == http::verb::post ? kSmallJson : 0,
                .handler = std::move(handler)});
  };
  using http::verb;
  add(verb::get, "/api/v1/admin/deployment", "admin_deployment",
      bind_context<&serve_deployment>(context));
  add(verb::get, "/api/v1/directory", "directory", bind_context<&serve_directory>(context));
  add(verb::post, "/api/v1/admin/units", "admin_units", bind_context<&serve_add_unit>(context));
  add(verb::post, "/api/v1/admin/units/keys", "admin_unit_keys",
      bind_context<&serve_add_unit_key>(context));
  add(verb::post, "/api/v1/admin/units/deactivate", "admin_unit_deactivate",
      bind_context<&serve_deactivate_unit>(context));
  add(verb::post, "/api/v1/admin/sites", "admin_sites", bind_context<&serve_add_site>(context));
  add(verb::post, "/api/v1/admin/sites/revoke", "admin_site_revoke",
      bind_context<&serve_revoke_site>(context));
  add(verb::post, "/api/v1/admin/invitations", "admin_invitations",
      bind_context<&serve_invite>(context));
  add(verb::get, "/api/v1/admin/accounts", "admin_accounts",
      bind_context<&serve_unit_accounts>(context));
  add(verb::post, "/api/v1/admin/accounts/change", "admin_account_change",
      bind_context<&serve_change_account>(context));
  add(verb::post, "/api/v1/auth/activate", "auth_activate", bind_context<&serve_activate>(context));
  add(verb::get, "/api/v1/accounts/awaiting-key", "accounts_awaiting_key",
      bind_context<&serve_awaiting_key>(context));
  add(verb::post, "/api/v1/accounts/grants", "account_grants", bind_context<&serve_grant>(context));
  add(verb::post, "/api/v1/auth/me/keys", "auth_me_keys", bind_context<&serve_store_key>(context));
  add(verb::get, "/api/v1/audit", "audit", std::bind_front(&serve_audit, context->auth));
}

}  // namespace clueline::server
