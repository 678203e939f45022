#include "clueline/services/admin.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstring>
#include <functional>
#include <set>
#include <utility>

#include "blocking_read.hpp"
#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/hash.hpp"
#include "clueline/crypto/unit_key_certificate.hpp"
#include "clueline/services/blocking.hpp"
#include "clueline/services/jurisdiction.hpp"
#include "commit.hpp"

namespace clueline::services {
namespace {

using storage::Account;
using storage::AccountState;
using storage::RegistryChange;
using storage::Role;

constexpr std::string_view kRegistryClaim = "registry";
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kTotpSecretBytes = 20;  // RFC 4226's recommended 160 bits
constexpr std::size_t kMaxOpenInvitations = 10000;

storage::UnixSeconds now_seconds(const AdminContext& context) { return now_seconds(*context.auth); }

std::string actor_object(const Actor& actor) {
  return "account:" + std::to_string(actor.account_id);
}

// The change as the writer takes it: its mutations and its audit entry,
// made by `actor` at `at`.
storage::GroupCommitWriter::Submission submission_of(std::vector<RegistryChange> changes,
                                                     const std::string& actor,
                                                     storage::UnixSeconds at) {
  storage::GroupCommitWriter::Submission submission;
  for (RegistryChange& change : changes) {
    std::move(change.mutations.begin(), change.mutations.end(),
              std::back_inserter(submission.mutations));
    submission.audit.push_back({.at = at,
                                .actor = actor,
                                .action = std::move(change.action),
                                .object = std::move(change.object),
                                .detail = std::move(change.detail)});
  }
  return submission;
}

boost::asio::awaitable<Outcome<void>> write_changes(AdminContext context,
                                                    std::vector<RegistryChange> changes,
                                                    std::string actor) {
  auto written = co_await commit(context.auth->writer,
                                 submission_of(std::move(changes), actor, now_seconds(context)));
  if (!written) {
    co_return refuse(errc_of(written.error()),
                     "the change could not be stored; nothing was changed, try again");
  }
  co_return Outcome<void>{};
}

std::optional<Refusal> authorized(const AdminContext& context, const Actor& actor, Action action,
                                  const Resource& resource) {
  return check_authorized(*context.auth, actor, action, resource);
}

// The installed registry with the policy's levels and categories.
DeploymentInfo registry_info(const AdminContext& context) {
  DeploymentInfo info;
  info.registry = context.registry->current();
  const auto levels = context.policy->levels().names();
  info.levels.assign(levels.begin(), levels.end());
  for (const auto& category : context.policy->categories()) {
    info.categories.push_back(category.name);
  }
  return info;
}

Refusal busy() {
  return refuse(errc::unavailable, "another change of the registry is being written; try again", 1);
}

Refusal account_busy() {
  return refuse(errc::unavailable,
                "another change or sign-in of this account is being written; try again", 1);
}

Refusal no_such_unit(std::uint32_t unit_id) {
  return refuse(errc::invalid_argument, "unit_id " + std::to_string(unit_id) + ": no such unit");
}

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameBytes && crypto::is_utf8(crypto::as_bytes(name));
}

bool valid_kind(std::string_view kind) {
  return !kind.empty() && kind.size() <= 32 && std::all_of(kind.begin(), kind.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string joined(std::span<const std::string> names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// The registry with `units` and `sites` in place of the current ones,
// checked as start-up checks it: a tree over the policy's levels that fits
// its designations.
Outcome<std::shared_ptr<const RegistrySnapshot>> candidate_registry(
    const AdminContext& context, const RegistrySnapshot& current,
    std::unordered_map<std::uint32_t, storage::Unit> units,
    std::unordered_map<std::uint32_t, storage::Site> sites,
    std::optional<storage::Deployment> deployment) {
  RegistryBuild build =
      build_registry(std::move(units), std::move(sites),
                     deployment ? std::move(deployment) : current.deployment, *context.policy);
  switch (build.problem) {
    case RegistryProblem::kNone:
      return std::move(build.snapshot);
    case RegistryProblem::kTree:
      return refuse(errc::invalid_argument,
                    "the unit does not fit the jurisdiction tree: " + build.why);
    case RegistryProblem::kPolicy:
      return refuse(errc::invalid_argument, "the change would break routing policy " +
                                                context.policy_name + ": " + build.why);
    case RegistryProblem::kSigningKey:
      return refuse(errc::invalid_argument, build.why);
  }
  return refuse(errc::internal, "internal error");
}

std::optional<std::uint32_t> owner_of_key(const RegistrySnapshot& registry,
                                          const storage::Bytes16& key_id) {
  for (const auto& [id, unit] : registry.units) {
    for (const storage::UnitKey& key : unit.keys) {
      if (key.key_id == key_id) return id;
    }
  }
  return std::nullopt;
}

// The deployment record a change signed with `key` needs: none to write
// when the recorded key is `key`, a new record (with a fresh receipt salt)
// when there is none yet, conflict when another key is recorded.
Outcome<std::optional<storage::Deployment>> deployment_for(const RegistrySnapshot& registry,
                                                           const crypto::SigningPublicKey& key) {
  if (!registry.deployment) {
    // The first signed change fixes the deployment: the key every token and
    // certificate is checked with, and the receipt salt of every receipt.
    storage::Deployment created;
    created.site_signing_public_key = key.bytes;
    crypto::random_bytes(created.receipt_salt);
    return std::optional<storage::Deployment>(created);
  }
  if (registry.deployment->site_signing_public_key != key.bytes) {
    return refuse(errc::conflict,
                  "this deployment's site-signing public key is " +
                      crypto::to_base64url(registry.deployment->site_signing_public_key) +
                      "; sign with the key whose public half that is");
  }
  return std::optional<storage::Deployment>();
}

// `unit` with the certified key of `request` as its only current key, after
// the checks of crypto-spec §3.1 the server makes. (Outside the coroutines:
// g++ 12 mis-handles aggregates with array members in coroutine frames.)
Outcome<storage::Unit> unit_with_certified_key(const RegistrySnapshot& registry,
                                               const storage::Unit& unit, const NewUnitKey& request,
                                               storage::UnixSeconds now) {
  const auto certificate = crypto::verify_unit_key_certificate(
      crypto::as_bytes(request.certificate), request.deployment_key);
  if (!certificate) {
    return refuse(errc::invalid_argument,
                  certificate.error() == errc::authentication_failed
                      ? "the certificate does not verify under the deployment's signing key"
                      : "the certificate is malformed (crypto-spec §3.1)");
  }
  const std::string mismatch = crypto::certificate_mismatch(
      *certificate, {.unit_id = unit.id, .level = unit.level, .parent_id = unit.parent_id},
      certificate->public_key, static_cast<std::uint64_t>(now));
  if (!mismatch.empty()) return refuse(errc::invalid_argument, mismatch);
  const storage::Bytes16 key_id = certificate->key_id;
  if (const auto owner = owner_of_key(registry, key_id); owner && *owner != unit.id) {
    return refuse(errc::invalid_argument, "key " + crypto::to_base64url(key_id) +
                                              " is already registered to unit " +
                                              std::to_string(*owner));
  }
  for (const storage::UnitKey& held : unit.keys) {
    if (held.key_id == key_id && !held.current) {
      // Rotated out, perhaps because it leaked: bringing it back is never
      // what renewing a certificate means.
      return refuse(errc::invalid_argument,
                    "key " + crypto::to_base64url(key_id) +
                        " was retired by a rotation and is not made current again; add a new key");
    }
  }
  storage::Unit updated = unit;
  bool renewed = false;
  for (storage::UnitKey& key : updated.keys) {
    key.current = key.key_id == key_id;
    if (key.current) {
      key.certificate = request.certificate;
      renewed = true;
    }
  }
  if (!renewed) {
    storage::UnitKey key;
    key.key_id = key_id;
    key.public_key = certificate->public_key.bytes;
    key.current = true;
    key.certificate = request.certificate;
    updated.keys.push_back(std::move(key));
  }
  return updated;
}

// One change as a list. (A braced list inside a co_await expression puts
// an initializer_list's array in the coroutine frame, which g++ 12 rejects.)
std::vector<RegistryChange> changes_of(RegistryChange change) {
  std::vector<RegistryChange> changes;
  changes.push_back(std::move(change));
  return changes;
}

// ---- blocking reads -------------------------------------------------------------

Read<std::uint32_t> read_next_unit_id(storage::Store* store) {
  return read_of(storage::next_unit_id(*store));
}
Read<std::uint32_t> read_next_site_id(storage::Store* store) {
  return read_of(storage::next_site_id(*store));
}
Read<std::uint32_t> read_next_account_id(storage::Store* store) {
  return read_of(storage::next_account_id(*store));
}
Read<Account> read_account(storage::Store* store, std::uint32_t id) {
  return read_of(storage::get_account(*store, id));
}
Read<std::vector<Account>> read_accounts(storage::Store* store) {
  return read_of(storage::list_accounts(*store));
}
Read<storage::Invitation> read_invitation(storage::Store* store, storage::Bytes32 hash) {
  return read_of(storage::get_invitation(*store, hash));
}
Read<std::vector<storage::Invitation>> read_invitations(storage::Store* store) {
  return read_of(storage::list_invitations(*store));
}

// Whether `name` is a stored login name: true, false, or a read error.
Read<bool> read_name_taken(storage::Store* store, std::string name) {
  auto taken = store->get(storage::Family::kAccounts, storage::account_name_key(name));
  if (taken) return {errc::internal, true};
  if (taken.error() == errc::not_found) return {errc::internal, false};
  return {errc_of(taken.error()), std::nullopt};
}

Refusal read_refusal(errc error) {
  if (error == errc::not_found) return refuse(errc::not_found, "no such account");
  return refuse(error, "the account store could not be read; try again");
}

// ---- registry changes ---------------------------------------------------------------

// Writes `changes`, then installs `next`: readers see the new registry only
// once it is durable.
boost::asio::awaitable<Outcome<void>> write_registry(AdminContext context, Actor actor,
                                                     std::vector<RegistryChange> changes,
                                                     std::shared_ptr<const RegistrySnapshot> next) {
  auto written = co_await write_changes(context, std::move(changes), actor_object(actor));
  if (!written) co_return written.error();
  context.registry->replace(std::move(next));
  co_return Outcome<void>{};
}

// Account `account_id`, if `actor` may do `action` to it. Whether an
// account exists is no secret from whoever may do `action` to some account
// of its own unit, but is from everyone else: they get the refusal.
boost::asio::awaitable<Outcome<Account>> account_for(AdminContext context, Actor actor,
                                                     Action action, std::uint32_t account_id) {
  auto read =
      co_await run_blocking(*context.auth->blocking_pool,
                            std::bind_front(&read_account, context.auth->store, account_id));
  const Resource resource =
      read.value ? Resource{.unit_id = read.value->unit_id, .account_role = read.value->role}
                 : Resource{.unit_id = actor.unit_id, .account_role = Role::kHandler};
  if (auto refused = authorized(context, actor, action, resource)) co_return *refused;
  if (!read.value) co_return read_refusal(read.error);
  co_return std::move(*read.value);
}

}  // namespace

// ---- deployment and registry ----------------------------------------------------------

boost::asio::awaitable<Outcome<DeploymentInfo>> deployment_info(AdminContext context, Actor actor) {
  if (auto refused = authorized(context, actor, Action::kViewDeployment, {})) co_return *refused;
  DeploymentInfo info = registry_info(context);
  auto accounts = co_await run_blocking(*context.auth->blocking_pool,
                                        std::bind_front(&read_accounts, context.auth->store));
  if (!accounts.value) co_return read_refusal(accounts.error);
  info.accounts = accounts.value->size();
  co_return info;
}

Outcome<DeploymentInfo> directory_info(const AdminContext& context, const Actor& actor) {
  if (auto refused = authorized(context, actor, Action::kReadDirectory, {})) return *refused;
  return registry_info(context);
}

boost::asio::awaitable<Outcome<storage::Unit>> add_unit(AdminContext context, Actor actor,
                                                        NewUnit request) {
  if (auto refused =
          authorized(context, actor, Action::kManageUnits, {.unit_id = request.parent_id})) {
    co_return *refused;
  }
  if (!valid_name(request.name)) {
    co_return refuse(errc::invalid_argument, "name must be 1 to 200 bytes of UTF-8");
  }
  const routing::Levels& levels = context.policy->levels();
  if (!levels.rank(request.level)) {
    co_return refuse(errc::invalid_argument, "level must be one of " + joined(levels.names()));
  }
  auto claim = context.auth->claims->claim(std::string(kRegistryClaim));
  if (!claim) co_return busy();
  const auto current = context.registry->current();
  storage::Unit unit;
  unit.name = request.name;
  unit.level = request.level;
  unit.parent_id = request.parent_id;
  if (unit.parent_id != 0) {
    const storage::Unit* parent = current->unit(unit.parent_id);
    if (parent == nullptr) {
      co_return refuse(errc::invalid_argument,
                       "parent_id " + std::to_string(unit.parent_id) + ": no such unit");
    }
    if (!levels.is_above(parent->level, unit.level)) {
      co_return refuse(errc::invalid_argument, "a " + unit.level + " unit cannot be placed under " +
                                                   current->tree.describe(parent->id) +
                                                   ": a parent must be at a higher level");
    }
  }
  auto id = co_await run_blocking(*context.auth->blocking_pool,
                                  std::bind_front(&read_next_unit_id, context.auth->store));
  if (!id.value) co_return read_refusal(id.error);
  unit.id = *id.value;
  auto units = current->units;
  units.emplace(unit.id, unit);
  auto next = candidate_registry(context, *current, std::move(units), current->sites, std::nullopt);
  if (!next) co_return next.error();
  auto written = co_await write_registry(context, actor, changes_of(storage::unit_added(unit)),
                                         std::move(*next));
  if (!written) co_return written.error();
  co_return unit;
}

boost::asio::awaitable<Outcome<storage::Unit>> add_unit_key(AdminContext context, Actor actor,
                                                            NewUnitKey request) {
  if (auto refused =
          authorized(context, actor, Action::kManageUnits, {.unit_id = request.unit_id})) {
    co_return *refused;
  }
  if (request.certificate.size() > crypto::kMaxUnitKeyCertificateBytes) {
    co_return refuse(errc::invalid_argument, "the certificate is malformed (crypto-spec §3.1)");
  }
  auto claim = context.auth->claims->claim(std::string(kRegistryClaim));
  if (!claim) co_return busy();
  const auto current = context.registry->current();
  const storage::Unit* found = current->unit(request.unit_id);
  if (found == nullptr) {
    co_return refuse(errc::not_found, "unit " + std::to_string(request.unit_id) + ": no such unit");
  }
  auto created = deployment_for(*current, request.deployment_key);
  if (!created) co_return created.error();
  auto unit = unit_with_certified_key(*current, *found, request, now_seconds(context));
  if (!unit) co_return unit.error();
  std::vector<RegistryChange> changes;
  if (*created) changes.push_back(storage::deployment_saved(**created));
  changes.push_back(storage::unit_updated(*unit, "unit.add_key"));
  auto units = current->units;
  units[unit->id] = *unit;
  auto next = candidate_registry(context, *current, std::move(units), current->sites, *created);
  if (!next) co_return next.error();
  auto written = co_await write_registry(context, actor, std::move(changes), std::move(*next));
  if (!written) co_return written.error();
  co_return std::move(*unit);
}

boost::asio::awaitable<Outcome<storage::Unit>> deactivate_unit(AdminContext context, Actor actor,
                                                               std::uint32_t unit_id) {
  if (auto refused = authorized(context, actor, Action::kManageUnits, {.unit_id = unit_id})) {
    co_return *refused;
  }
  auto claim = context.auth->claims->claim(std::string(kRegistryClaim));
  if (!claim) co_return busy();
  const auto current = context.registry->current();
  const storage::Unit* found = current->unit(unit_id);
  if (found == nullptr) {
    co_return refuse(errc::not_found, "unit " + std::to_string(unit_id) + ": no such unit");
  }
  if (!found->active) co_return refuse(errc::conflict, "the unit is already inactive");
  storage::Unit unit = *found;
  unit.active = false;
  auto units = current->units;
  units[unit.id] = unit;
  auto next = candidate_registry(context, *current, std::move(units), current->sites, std::nullopt);
  if (!next) co_return next.error();
  auto written = co_await write_registry(
      context, actor, changes_of(storage::unit_updated(unit, "unit.deactivate")), std::move(*next));
  if (!written) co_return written.error();
  co_return unit;
}

boost::asio::awaitable<Outcome<storage::Site>> add_site(AdminContext context, Actor actor,
                                                        NewSite request) {
  if (auto refused =
          authorized(context, actor, Action::kManageSites, {.unit_id = request.unit_id})) {
    co_return *refused;
  }
  if (!valid_name(request.name)) {
    co_return refuse(errc::invalid_argument, "name must be 1 to 200 bytes of UTF-8");
  }
  if (!valid_kind(request.kind)) {
    co_return refuse(errc::invalid_argument,
                     "kind must be 1 to 32 characters of a-z, 0-9 and _, e.g. village_board");
  }
  auto claim = context.auth->claims->claim(std::string(kRegistryClaim));
  if (!claim) co_return busy();
  const auto current = context.registry->current();
  if (current->unit(request.unit_id) == nullptr) {
    co_return refuse(errc::invalid_argument,
                     "unit_id " + std::to_string(request.unit_id) + ": no such unit");
  }
  auto deployment = deployment_for(*current, request.site_signing_public_key);
  if (!deployment) co_return deployment.error();
  const std::optional<storage::Deployment> created = *deployment;
  std::vector<RegistryChange> changes;
  if (created) changes.push_back(storage::deployment_saved(*created));
  auto id = co_await run_blocking(*context.auth->blocking_pool,
                                  std::bind_front(&read_next_site_id, context.auth->store));
  if (!id.value) co_return read_refusal(id.error);
  const storage::Site site{.id = *id.value,
                           .name = request.name,
                           .unit_id = request.unit_id,
                           .kind = request.kind,
                           .token_version = 1};
  changes.push_back(storage::site_added(site));
  auto sites = current->sites;
  sites.emplace(site.id, site);
  auto next = candidate_registry(context, *current, current->units, std::move(sites), created);
  if (!next) co_return next.error();
  auto written = co_await write_registry(context, actor, std::move(changes), std::move(*next));
  if (!written) co_return written.error();
  co_return site;
}

boost::asio::awaitable<Outcome<storage::Site>> revoke_site(AdminContext context, Actor actor,
                                                           std::uint32_t site_id) {
  {
    // Authorized over the site's unit before anything is claimed, so that
    // an account that may not manage sites cannot hold up one that may; an
    // unknown site is refused the same way to anyone who may not.
    const auto before = context.registry->current();
    const storage::Site* site = before->site(site_id);
    if (auto refused = authorized(context, actor, Action::kManageSites,
                                  {.unit_id = site == nullptr ? 0 : site->unit_id})) {
      co_return *refused;
    }
  }
  auto claim = context.auth->claims->claim(std::string(kRegistryClaim));
  if (!claim) co_return busy();
  const auto current = context.registry->current();
  const storage::Site* found = current->site(site_id);
  if (found == nullptr) {
    co_return refuse(errc::not_found, "site " + std::to_string(site_id) + ": no such site");
  }
  if (found->token_version == UINT16_MAX) {
    co_return refuse(errc::conflict, "the site has used up its token versions; add a new site");
  }
  storage::Site site = *found;
  ++site.token_version;
  auto sites = current->sites;
  sites[site.id] = site;
  auto next = candidate_registry(context, *current, current->units, std::move(sites), std::nullopt);
  if (!next) co_return next.error();
  auto written = co_await write_registry(context, actor, changes_of(storage::site_revoked(site)),
                                         std::move(*next));
  if (!written) co_return written.error();
  co_return site;
}

// ---- accounts -------------------------------------------------------------------

boost::asio::awaitable<Outcome<IssuedInvitation>> invite_account(AdminContext context, Actor actor,
                                                                 std::string login_name,
                                                                 std::uint32_t unit_id,
                                                                 storage::Role role) {
  // Unit ids are no secret (the deployment lists them); saying that one
  // does not exist is clearer than a refusal.
  if (context.registry->current()->unit(unit_id) == nullptr) co_return no_such_unit(unit_id);
  if (auto refused = authorized(context, actor, Action::kInviteAccount,
                                {.unit_id = unit_id, .account_role = role})) {
    co_return *refused;
  }
  if (!storage::valid_login_name(login_name)) {
    co_return refuse(errc::invalid_argument,
                     "account names are 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a "
                     "letter or digit");
  }
  auto claim = context.auth->claims->claim("account-name:" + login_name);
  if (!claim) co_return account_busy();
  auto taken =
      co_await run_blocking(*context.auth->blocking_pool,
                            std::bind_front(&read_name_taken, context.auth->store, login_name));
  if (!taken.value) co_return read_refusal(taken.error);
  if (*taken.value) co_return refuse(errc::conflict, "the account name is taken");
  auto open = co_await run_blocking(*context.auth->blocking_pool,
                                    std::bind_front(&read_invitations, context.auth->store));
  if (!open.value) co_return read_refusal(open.error);
  const storage::UnixSeconds at = now_seconds(context);
  std::size_t live = 0;
  // Expired invitations go with this change, so that they do not pile up.
  std::vector<storage::Mutation> expired;
  for (const storage::Invitation& other : *open.value) {
    if (other.expires_at < at) {
      expired.push_back(
          {storage::Family::kAccounts, storage::invitation_key(other.code_hash), std::nullopt});
      continue;
    }
    ++live;
    if (other.login_name == login_name) {
      co_return refuse(errc::conflict, "an open invitation already names this account");
    }
  }
  if (live >= kMaxOpenInvitations) {
    co_return refuse(errc::unavailable, "too many open invitations; let some expire first");
  }
  IssuedInvitation issued;
  crypto::random_bytes(issued.code);
  issued.invitation = {.code_hash = crypto::blake2b<32>({issued.code}),
                       .login_name = login_name,
                       .unit_id = unit_id,
                       .role = role,
                       .created_by = actor.account_id,
                       .created_at = at,
                       .expires_at = at + context.invitation_lifetime.count()};
  RegistryChange change = storage::invitation_added(issued.invitation);
  std::move(expired.begin(), expired.end(), std::back_inserter(change.mutations));
  auto written =
      co_await write_changes(context, changes_of(std::move(change)), actor_object(actor));
  if (!written) co_return written.error();
  co_return issued;
}

boost::asio::awaitable<Outcome<Activated>> activate_account(AdminContext context,
                                                            Activation activation) {
  const Refusal unknown = refuse(
      errc::not_found, "no such invitation, or it was used or has expired; ask for a new one");
  const storage::Bytes32 hash = crypto::blake2b<32>({activation.code});
  auto invitation = co_await run_blocking(
      *context.auth->blocking_pool, std::bind_front(&read_invitation, context.auth->store, hash));
  if (!invitation.value) {
    if (invitation.error == errc::not_found) co_return unknown;
    co_return read_refusal(invitation.error);
  }
  const storage::Invitation& invited = *invitation.value;
  const storage::UnixSeconds at = now_seconds(context);
  if (invited.expires_at < at) co_return unknown;
  if (!crypto::validate(activation.kdf)) {
    co_return refuse(errc::invalid_argument,
                     "kdf: opslimit 1..10, memlimit a multiple of 1024 in 8 KiB..1 GiB");
  }
  if (!crypto::verify_activation(activation.code, activation.box_public_key, activation.proof,
                                 activation.auth_public_key)) {
    co_return refuse(errc::authentication_failed,
                     "the activation proof does not verify with the login key given");
  }
  auto claim = context.auth->claims->claim("account-name:" + invited.login_name);
  if (!claim) co_return account_busy();
  auto taken = co_await run_blocking(
      *context.auth->blocking_pool,
      std::bind_front(&read_name_taken, context.auth->store, invited.login_name));
  if (!taken.value) co_return read_refusal(taken.error);
  if (*taken.value) co_return refuse(errc::conflict, "the account name was taken meanwhile");
  if (context.registry->current()->unit(invited.unit_id) == nullptr) {
    co_return refuse(errc::conflict, "the invitation's unit no longer exists");
  }
  auto id = co_await run_blocking(*context.auth->blocking_pool,
                                  std::bind_front(&read_next_account_id, context.auth->store));
  if (!id.value) co_return read_refusal(id.error);
  Activated activated;
  Account& account = activated.account;
  account.id = *id.value;
  account.login_name = invited.login_name;
  account.unit_id = invited.unit_id;
  account.role = invited.role;
  account.auth_public_key = activation.auth_public_key.bytes;
  account.box_public_key = activation.box_public_key.bytes;
  account.salt = activation.salt;
  account.kdf_opslimit = activation.kdf.opslimit;
  account.kdf_memlimit = activation.kdf.memlimit;
  account.created_at = at;
  if (activation.second_factor) {
    activated.totp_secret.resize(kTotpSecretBytes);
    crypto::random_bytes(std::as_writable_bytes(std::span(activated.totp_secret)));
    account.totp_secret = activated.totp_secret;
  }
  RegistryChange added = storage::account_added(account);
  added.action = "account.activate";
  // The invitation is spent in the same batch that creates the account.
  added.mutations.push_back(
      {storage::Family::kAccounts, storage::invitation_key(hash), std::nullopt});
  storage::GroupCommitWriter::Submission submission =
      submission_of(changes_of(std::move(added)), "account:" + std::to_string(account.id), at);
  // A concurrent activation of another invitation for the same id loses.
  submission.must_be_absent.push_back(
      {storage::Family::kAccounts, storage::account_key(account.id)});
  auto written = co_await commit(context.auth->writer, std::move(submission));
  if (!written) {
    co_return refuse(errc_of(written.error()),
                     "the account could not be stored; nothing was changed, try again");
  }
  co_return activated;
}

namespace {

// Active again, with the failed sign-ins that led to a lock forgotten.
void reactivate(Account& account) {
  account.state = AccountState::kActive;
  account.failed_logins = 0;
  account.last_failed_at = 0;
}

}  // namespace

std::optional<AccountChange> parse_account_change(std::string_view name) noexcept {
  for (const AccountChange change : {AccountChange::kDisable, AccountChange::kEnable,
                                     AccountChange::kUnlock, AccountChange::kResetSecondFactor}) {
    if (account_change_name(change) == name) return change;
  }
  return std::nullopt;
}

std::string_view account_change_name(AccountChange change) noexcept {
  switch (change) {
    case AccountChange::kDisable:
      return "disable";
    case AccountChange::kEnable:
      return "enable";
    case AccountChange::kUnlock:
      return "unlock";
    case AccountChange::kResetSecondFactor:
      return "reset_second_factor";
  }
  return "unknown";
}

boost::asio::awaitable<Outcome<Account>> change_account(AdminContext context, Actor actor,
                                                        std::uint32_t account_id,
                                                        AccountChange change) {
  auto target = co_await account_for(context, actor, Action::kManageAccount, account_id);
  if (!target) co_return target.error();
  if (account_id == actor.account_id && change == AccountChange::kDisable) {
    co_return refuse(errc::invalid_argument, "an account cannot disable itself");
  }
  auto claim = context.auth->claims->claim("account-name:" + target->login_name);
  if (!claim) co_return account_busy();
  // Read again under the claim: a login may have changed it meanwhile.
  auto read =
      co_await run_blocking(*context.auth->blocking_pool,
                            std::bind_front(&read_account, context.auth->store, account_id));
  if (!read.value) co_return read_refusal(read.error);
  Account account = std::move(*read.value);
  std::string action;
  switch (change) {
    case AccountChange::kDisable:
      if (account.state == AccountState::kDisabled) {
        co_return refuse(errc::conflict, "the account is already disabled");
      }
      account.state = AccountState::kDisabled;
      action = "account.disable";
      break;
    case AccountChange::kEnable:
      if (account.state != AccountState::kDisabled) {
        co_return refuse(errc::conflict, "the account is not disabled");
      }
      reactivate(account);
      action = "account.enable";
      break;
    case AccountChange::kUnlock:
      if (account.state != AccountState::kLocked) {
        co_return refuse(errc::conflict, "the account is not locked");
      }
      reactivate(account);
      action = "account.unlock";
      break;
    case AccountChange::kResetSecondFactor:
      if (account.totp_secret.empty()) {
        co_return refuse(errc::conflict, "the account has no second factor");
      }
      account.totp_secret.clear();
      action = "account.reset_second_factor";
      break;
  }
  auto written = co_await write_changes(
      context, changes_of(storage::account_updated(account, action)), actor_object(actor));
  if (!written) co_return written.error();
  if (account.state != AccountState::kActive) context.auth->sessions->close_all(account.id);
  co_return account;
}

boost::asio::awaitable<Outcome<std::vector<Account>>> unit_accounts(AdminContext context,
                                                                    Actor actor,
                                                                    std::uint32_t unit_id) {
  if (context.registry->current()->unit(unit_id) == nullptr) co_return no_such_unit(unit_id);
  if (auto refused = authorized(context, actor, Action::kManageAccount,
                                {.unit_id = unit_id, .account_role = Role::kHandler})) {
    co_return *refused;
  }
  auto accounts = co_await run_blocking(*context.auth->blocking_pool,
                                        std::bind_front(&read_accounts, context.auth->store));
  if (!accounts.value) co_return read_refusal(accounts.error);
  std::vector<Account> listed;
  for (Account& account : *accounts.value) {
    if (account.unit_id == unit_id) listed.push_back(std::move(account));
  }
  co_return listed;
}

boost::asio::awaitable<Outcome<std::vector<AwaitingKey>>> accounts_awaiting_key(
    AdminContext context, Actor actor) {
  if (auto refused = authorized(context, actor, Action::kGrantUnitKey,
                                {.unit_id = actor.unit_id, .account_role = Role::kHandler})) {
    co_return *refused;
  }
  const auto registry = context.registry->current();
  const storage::Unit* unit = registry->unit(actor.unit_id);
  if (unit == nullptr) co_return std::vector<AwaitingKey>{};
  auto accounts = co_await run_blocking(*context.auth->blocking_pool,
                                        std::bind_front(&read_accounts, context.auth->store));
  if (!accounts.value) co_return read_refusal(accounts.error);
  std::vector<AwaitingKey> awaiting;
  for (Account& account : *accounts.value) {
    if (account.unit_id != actor.unit_id || account.box_public_key == storage::Bytes32{} ||
        account.state != AccountState::kActive ||
        authorize(actor, Action::kGrantUnitKey,
                  {.unit_id = account.unit_id, .account_role = account.role},
                  registry->tree) != Verdict::kAllow) {
      continue;
    }
    AwaitingKey entry;
    for (const storage::UnitKey& key : unit->keys) {
      if (!key.current) continue;
      const bool held = std::any_of(account.wrapped_keys.begin(), account.wrapped_keys.end(),
                                    [&](const auto& w) { return w.key_id == key.key_id; }) ||
                        std::any_of(account.pending_grants.begin(), account.pending_grants.end(),
                                    [&](const auto& g) { return g.key_id == key.key_id; });
      if (!held) entry.missing_key_ids.push_back(key.key_id);
    }
    if (entry.missing_key_ids.empty()) continue;
    entry.account = std::move(account);
    awaiting.push_back(std::move(entry));
  }
  co_return awaiting;
}

boost::asio::awaitable<Outcome<Account>> grant_unit_key(AdminContext context, Actor actor,
                                                        std::uint32_t account_id,
                                                        storage::Bytes16 key_id,
                                                        std::string grant) {
  auto target = co_await account_for(context, actor, Action::kGrantUnitKey, account_id);
  if (!target) co_return target.error();
  if (grant.size() != crypto::kUnitKeyGrantBytes) {
    co_return refuse(errc::invalid_argument, "a grant is 80 bytes (crypto_box_seal of the key)");
  }
  if (target->state != AccountState::kActive) {
    co_return refuse(errc::conflict, "the account is not active; it cannot be granted a key");
  }
  if (target->box_public_key == storage::Bytes32{}) {
    co_return refuse(errc::invalid_argument,
                     "the account has no box key to grant to (it was created offline; wrap the "
                     "key with `clueline account add --unit-key-file` instead)");
  }
  const auto registry = context.registry->current();
  const storage::Unit* unit = registry->unit(target->unit_id);
  if (unit == nullptr || std::none_of(unit->keys.begin(), unit->keys.end(),
                                      [&](const auto& key) { return key.key_id == key_id; })) {
    co_return refuse(errc::invalid_argument, "key_id is not a key of the account's unit");
  }
  auto claim = context.auth->claims->claim("account-name:" + target->login_name);
  if (!claim) co_return account_busy();
  auto read =
      co_await run_blocking(*context.auth->blocking_pool,
                            std::bind_front(&read_account, context.auth->store, account_id));
  if (!read.value) co_return read_refusal(read.error);
  Account account = std::move(*read.value);
  std::erase_if(account.pending_grants, [&](const auto& g) { return g.key_id == key_id; });
  account.pending_grants.push_back(
      {.key_id = key_id, .grant = std::move(grant), .granted_by = actor.account_id});
  auto written = co_await write_changes(
      context, changes_of(storage::account_updated(account, "account.grant_key")),
      actor_object(actor));
  if (!written) co_return written.error();
  co_return account;
}

boost::asio::awaitable<Outcome<Account>> store_own_wrapped_key(AdminContext context, Actor actor,
                                                               storage::Bytes16 key_id,
                                                               std::string blob) {
  if (auto refused = authorized(context, actor, Action::kViewOwnAccount, {})) co_return *refused;
  const auto info = crypto::parse_wrapped_key(crypto::as_bytes(blob));
  if (!info || info->key_id != key_id) {
    co_return refuse(errc::invalid_argument,
                     "blob must be a 116-byte CLK1 blob (crypto-spec §9) for key_id");
  }
  const auto registry = context.registry->current();
  const storage::Unit* unit = registry->unit(actor.unit_id);
  if (unit == nullptr || std::none_of(unit->keys.begin(), unit->keys.end(),
                                      [&](const auto& key) { return key.key_id == key_id; })) {
    co_return refuse(errc::invalid_argument, "key_id is not a key of your unit");
  }
  auto read =
      co_await run_blocking(*context.auth->blocking_pool,
                            std::bind_front(&read_account, context.auth->store, actor.account_id));
  if (!read.value) co_return read_refusal(read.error);
  auto claim = context.auth->claims->claim("account-name:" + read.value->login_name);
  if (!claim) co_return account_busy();
  read =
      co_await run_blocking(*context.auth->blocking_pool,
                            std::bind_front(&read_account, context.auth->store, actor.account_id));
  if (!read.value) co_return read_refusal(read.error);
  Account account = std::move(*read.value);
  if (!std::equal(info->salt.begin(), info->salt.end(), account.salt.begin()) ||
      info->params.opslimit != account.kdf_opslimit ||
      info->params.memlimit != account.kdf_memlimit) {
    co_return refuse(errc::invalid_argument,
                     "the blob is not wrapped under this account's salt and KDF parameters; "
                     "derive the wrap key from your passphrase with those of /api/v1/auth/me");
  }
  std::erase_if(account.wrapped_keys, [&](const auto& w) { return w.key_id == key_id; });
  account.wrapped_keys.push_back({.key_id = key_id, .blob = std::move(blob)});
  std::erase_if(account.pending_grants, [&](const auto& g) { return g.key_id == key_id; });
  auto written = co_await write_changes(
      context, changes_of(storage::account_updated(account, "account.store_key")),
      actor_object(actor));
  if (!written) co_return written.error();
  co_return account;
}

}  // namespace clueline::services
