// unit and site: the registry of the jurisdiction tree and of the posters'
// sites, kept in the database a server serves. They run with the server
// stopped (RocksDB allows one process per database; the store lock makes a
// concurrent run fail instead of racing id allocation) and print JSON.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <cstdint>
#include <iostream>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/qr/qr_code.hpp"
#include "clueline/qr/render.hpp"
#include "clueline/routing/levels.hpp"
#include "clueline/routing/policy.hpp"
#include "clueline/routing/route.hpp"
#include "clueline/routing/tree.hpp"
#include "clueline/services/config.hpp"
#include "clueline/services/jurisdiction.hpp"
#include "clueline/storage/records.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "options.hpp"
#include "output.hpp"
#include "registry.hpp"
#include "registry_online.hpp"

namespace clueline::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using services::site_json;
using services::unit_json;

constexpr std::size_t kMaxNameBytes = 200;

// Names are shown to reporters and supervisors: UTF-8, 1..200 bytes.
std::string checked_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameBytes || !crypto::is_utf8(crypto::as_bytes(name))) {
    throw UsageError("--name must be 1 to 200 bytes of UTF-8");
  }
  return name;
}

std::string joined(std::span<const std::string> names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// "unit 7 ("Name", township)"; the name JSON-quoted, so that whatever it
// holds (a newline, say) cannot break the one-line error.
std::string describe(const storage::Unit& unit) {
  return "unit " + std::to_string(unit.id) + " (" + json::serialize(json::string(unit.name)) +
         ", " + unit.level + ")";
}

// The routing policy `serve` would load (routing.policy_file of the
// configuration, else the built-in one): units are placed on its levels and
// sites checked against its routes.
routing::Policy registry_policy(const CommandOptions& options) {
  return services::load_routing_policy(command_config(options).routing.policy_file);
}

// A registry whose units do not form a tree under the policy's ladder
// (written by other means) is refused rather than extended: any error
// message about the new unit would be misleading.
void require_tree(const std::vector<storage::Unit>& units, const routing::Levels& levels) {
  std::string problem;
  if (!routing::Tree::make(services::unit_nodes(units), levels, &problem)) {
    throw std::runtime_error(
        "the stored units do not form a valid jurisdiction tree under the routing policy's "
        "levels: " +
        problem);
  }
}

// The unit that already holds a key with id `key_id`, if any. One key per
// unit: a key shared between units is almost certainly a wrong file.
std::optional<std::uint32_t> owner_of_key(const std::vector<storage::Unit>& units,
                                          const storage::Bytes16& key_id) {
  for (const storage::Unit& unit : units) {
    for (const storage::UnitKey& key : unit.keys) {
      if (key.key_id == key_id) return unit.id;
    }
  }
  return std::nullopt;
}

// `unit` with `public_key` as its only current key, certified by `signing`
// (rotation; a key the unit holds already gets the new certificate).
storage::Unit with_certified_key(storage::Unit unit, const crypto::BoxPublicKey& public_key,
                                 const crypto::SigningKeyPair& signing, std::uint32_t valid_days) {
  const storage::Bytes16 key_id = crypto::key_id(public_key);
  for (const storage::UnitKey& held : unit.keys) {
    if (held.key_id == key_id && !held.current) {
      throw std::runtime_error("key " + crypto::to_base64url(key_id) +
                               " was retired by a rotation and is not made current again; add a "
                               "new key");
    }
  }
  const std::string certificate = unit_key_certificate(unit, public_key, signing, valid_days);
  bool renewed = false;
  for (storage::UnitKey& key : unit.keys) {
    key.current = key.key_id == key_id;
    if (key.current) {
      key.certificate = certificate;
      renewed = true;
    }
  }
  if (!renewed) {
    unit.keys.push_back({.key_id = key_id,
                         .public_key = public_key.bytes,
                         .current = true,
                         .certificate = certificate});
  }
  return unit;
}

// ---- unit ---------------------------------------------------------------------

int unit_add(std::span<char*> args) {
  const CommandOptions options(args, {"--data-dir", "--config", "--name", "--level", "--parent",
                                      "--public-key", "--signing-key", "--valid-days"});
  storage::Unit unit;
  unit.name = checked_name(options.required("--name"));
  unit.level = options.required("--level");
  const routing::Policy policy = registry_policy(options);
  const routing::Levels& levels = policy.levels();
  if (!levels.rank(unit.level)) {
    throw UsageError("--level must be one of " + joined(levels.names()));
  }
  if (options.has("--parent")) unit.parent_id = parse_id(options.required("--parent"), "--parent");
  if (options.has("--public-key") != options.has("--signing-key")) {
    throw UsageError("--public-key needs --signing-key (the key is certified for the unit)");
  }
  std::optional<crypto::BoxPublicKey> public_key;
  std::optional<crypto::SigningKeyPair> signing;
  if (options.has("--public-key")) {
    public_key = read_box_public_key_file(options.required("--public-key"));
    signing = read_signing_key_file(options.required("--signing-key"));
  }
  const std::uint32_t valid_days = certificate_days(options);
  const fs::path data_dir = registry_data_dir(options);

  auto store = open_database(data_dir, true);
  const auto units = checked(storage::list_units(*store), "listing units");
  require_tree(units, levels);
  if (unit.parent_id != 0) {
    const auto parent = std::find_if(units.begin(), units.end(),
                                     [&](const auto& u) { return u.id == unit.parent_id; });
    if (parent == units.end()) {
      throw std::runtime_error("--parent " + std::to_string(unit.parent_id) + ": no such unit");
    }
    if (!levels.is_above(parent->level, unit.level)) {
      throw std::runtime_error("a " + unit.level + " unit cannot be placed under " +
                               describe(*parent) + ": a parent must be at a higher level");
    }
  }
  if (public_key) {
    if (const auto owner = owner_of_key(units, crypto::key_id(*public_key))) {
      throw std::runtime_error("key " + crypto::to_base64url(crypto::key_id(*public_key)) +
                               " is already registered to unit " + std::to_string(*owner));
    }
  }
  // The checks above name the problem; the tree is the authority on what a
  // valid registry is, so the unit must also fit it (with a stand-in id).
  std::uint32_t stand_in = 1;
  for (const storage::Unit& existing : units) stand_in = std::max(stand_in, existing.id + 1);
  std::vector<routing::UnitNode> nodes = services::unit_nodes(units);
  nodes.push_back({.id = stand_in,
                   .parent_id = unit.parent_id,
                   .level = unit.level,
                   .receiving = public_key.has_value()});
  if (!routing::Tree::make(std::move(nodes), levels)) {
    throw std::runtime_error("the unit does not fit the jurisdiction tree");
  }

  // Last of the checks, since it may write the deployment record.
  if (public_key) ensure_deployment(*store, *signing, options.required("--signing-key"));
  // The certificate names the unit's id, which adding it assigns.
  const std::uint32_t id = checked(storage::add_unit(*store, unit), "adding the unit");
  unit = checked(storage::get_unit(*store, id), "reading the unit back");
  if (public_key) {
    unit = with_certified_key(std::move(unit), *public_key, *signing, valid_days);
    checked(storage::put_unit(*store, unit, "unit.add_key"), "storing the unit's key");
  }
  print_result(options, unit_json(unit));
  return 0;
}

int unit_list(std::span<char*> args) {
  const CommandOptions options(args, {"--data-dir", "--config"});
  auto store = open_database(registry_data_dir(options), false);
  json::array listed;
  for (const storage::Unit& unit : checked(storage::list_units(*store), "listing units")) {
    listed.push_back(unit_json(unit));
  }
  print_results(options, listed, "no units");
  return 0;
}

// A new current key for a unit (key rotation), certified here with the
// deployment's signing key. The unit's other keys stay, no longer current:
// new reports are sealed to the new key only, while reports already sealed
// to an old key can still be opened with it. A key the unit holds already
// gets a new certificate (renewal).
int unit_add_key(std::span<char*> args) {
  const CommandOptions options(
      args, {"--data-dir", "--config", "--id", "--public-key", "--signing-key", "--valid-days"});
  const std::uint32_t id = parse_id(options.required("--id"), "--id");
  const crypto::BoxPublicKey public_key =
      read_box_public_key_file(options.required("--public-key"));
  const fs::path signing_file = options.required("--signing-key");
  const crypto::SigningKeyPair signing = read_signing_key_file(signing_file);
  const std::uint32_t valid_days = certificate_days(options);
  auto store = open_database(registry_data_dir(options), false);
  const auto units = checked(storage::list_units(*store), "listing units");
  const auto found =
      std::find_if(units.begin(), units.end(), [&](const auto& u) { return u.id == id; });
  if (found == units.end()) {
    throw std::runtime_error("--id " + std::to_string(id) + ": no such unit");
  }
  const storage::Bytes16 key_id = crypto::key_id(public_key);
  if (const auto owner = owner_of_key(units, key_id); owner && *owner != id) {
    throw std::runtime_error("key " + crypto::to_base64url(key_id) +
                             " is already registered to unit " + std::to_string(*owner));
  }
  ensure_deployment(*store, signing, signing_file);
  const storage::Unit unit = with_certified_key(*found, public_key, signing, valid_days);
  checked(storage::put_unit(*store, unit, "unit.add_key"), "storing the unit");
  print_result(options, unit_json(unit));
  return 0;
}

// ---- site ---------------------------------------------------------------------

bool is_kind(std::string_view kind) {
  return !kind.empty() && kind.size() <= 32 && std::all_of(kind.begin(), kind.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

int site_add(std::span<char*> args) {
  const CommandOptions options(args, {"--data-dir", "--config", "--name", "--unit", "--kind",
                                      "--signing-key", "--base-url"});
  storage::Site site;
  site.name = checked_name(options.required("--name"));
  site.unit_id = parse_id(options.required("--unit"), "--unit");
  site.kind = options.required("--kind");
  if (!is_kind(site.kind)) {
    throw UsageError("--kind must be 1 to 32 characters of a-z, 0-9 and _, e.g. village_board");
  }
  const std::string base_url = base_url_of(options);
  const fs::path key_file = options.required("--signing-key");
  const crypto::SigningKeyPair key = read_signing_key_file(key_file);

  auto store = open_database(registry_data_dir(options), false);
  const auto units = checked(storage::list_units(*store), "listing units");
  if (std::none_of(units.begin(), units.end(),
                   [&](const auto& u) { return u.id == site.unit_id; })) {
    throw std::runtime_error("--unit " + std::to_string(site.unit_id) + ": no such unit");
  }
  // Not an error, since units can get keys later, but a poster for this
  // site would lead reporters to a form that cannot be submitted yet.
  const routing::Policy policy = registry_policy(options);
  const std::string any_category =
      policy.category("other") != nullptr || policy.categories().empty()
          ? std::string("other")
          : policy.categories().front().name;
  const auto tree = routing::Tree::make(services::unit_nodes(units), policy.levels());
  const bool routable = tree && routing::route(*tree, policy,
                                               {.site_unit_id = site.unit_id,
                                                .category = any_category,
                                                .accused_level = "",
                                                .recused = {}});

  ensure_deployment(*store, key, key_file);

  site.id = checked(storage::add_site(*store, site), "adding the site");
  if (!routable) {
    std::cerr << "clueline: warning: no unit above unit " << site.unit_id
              << " has a key yet, so reports from this site cannot be routed\n";
  }
  print_result(options, signed_site_json(
                            checked(storage::get_site(*store, site.id), "reading the site back"),
                            key, base_url));
  return 0;
}

int site_list(std::span<char*> args) {
  const CommandOptions options(args, {"--data-dir", "--config", "--signing-key", "--base-url"});
  if (options.has("--base-url") && !options.has("--signing-key")) {
    throw UsageError("--base-url needs --signing-key (URLs carry signed tokens)");
  }
  const std::string base_url = base_url_of(options);
  std::optional<crypto::SigningKeyPair> key;
  if (options.has("--signing-key")) key = read_signing_key_file(options.required("--signing-key"));
  auto store = open_database(registry_data_dir(options), false);
  if (key) require_matching_deployment(*store, *key, options.required("--signing-key"));
  json::array listed;
  for (const storage::Site& site : checked(storage::list_sites(*store), "listing sites")) {
    listed.push_back(key ? signed_site_json(site, *key, base_url) : site_json(site));
  }
  print_results(options, listed, "no sites");
  return 0;
}

// Every poster printed before stops working (410) and the new token is
// printed: the operator replaces the poster with one for the new URL.
int site_revoke(std::span<char*> args) {
  const CommandOptions options(args,
                               {"--data-dir", "--config", "--id", "--signing-key", "--base-url"});
  const std::uint32_t id = parse_id(options.required("--id"), "--id");
  const std::string base_url = base_url_of(options);
  const fs::path key_file = options.required("--signing-key");
  const crypto::SigningKeyPair key = read_signing_key_file(key_file);
  auto store = open_database(registry_data_dir(options), false);
  // Checked first, so that a wrong key cannot revoke a poster and then fail
  // to produce its replacement.
  require_matching_deployment(*store, key, key_file);
  existing_site(*store, id, "--id");
  auto revoked = storage::revoke_site(*store, id);
  if (!revoked && revoked.error() == errc::conflict) {
    throw std::runtime_error("site " + std::to_string(id) +
                             " has used up its token versions; add a new site instead");
  }
  print_result(options, signed_site_json(checked(revoked, "revoking the site"), key, base_url));
  return 0;
}

}  // namespace

int unit(std::span<char*> args) {
  const std::string_view action = args.empty() ? "" : args[0];
  if (action == "deactivate" || wants_server(args)) {
    return unit_online(action, args.subspan(args.empty() ? 0 : 1));
  }
  if (action == "add") return unit_add(args.subspan(1));
  if (action == "list") return unit_list(args.subspan(1));
  if (action == "add-key") return unit_add_key(args.subspan(1));
  throw UsageError("unit needs an action: add, list or add-key");
}

int site(std::span<char*> args) {
  const std::string_view action = args.empty() ? "" : args[0];
  if (wants_server(args)) return site_online(action, args.subspan(args.empty() ? 0 : 1));
  if (action == "add") return site_add(args.subspan(1));
  if (action == "list") return site_list(args.subspan(1));
  if (action == "revoke") return site_revoke(args.subspan(1));
  if (action == "qr") return site_qr(args.subspan(1));
  if (action == "poster") return site_poster(args.subspan(1));
  if (action == "verify") return site_verify(args.subspan(1));
  throw UsageError("site needs an action: add, list, revoke, qr, poster or verify");
}

}  // namespace clueline::app
