// Administration while the server runs, and account onboarding
// (crypto-spec §9.4): what the offline `unit`, `site` and `account`
// commands do, for signed-in accounts, through the group-commit writer.
//
// Every function authorizes its actor first (authorization.hpp) and changes
// nothing when refused; every change is written with its audit entry (actor
// "account:<id>") in one synced batch, and a change of the registry
// (deployment, units, sites) installs a new Registry snapshot once it is
// synced, so that intake and escalation route over it at once.
//
// A registry change is checked against the routing policy before it is
// written: a unit must fit the tree and the policy's designations, exactly
// as at start-up, so no change can leave a registry the server would refuse
// to start on. Registry changes are serialised (one at a time; a second
// one meanwhile is refused with unavailable and a Retry-After of 1 s).
//
// The site token is never signed here: the server keeps only the
// deployment's site-signing public key, and the client that holds the
// secret key signs the token for the site id and version answered.
//
// Thread safety: every function may be called from any thread; the
// context's pointers are not owned and must outlive every call.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clueline/crypto/account.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/routing/policy.hpp"
#include "clueline/services/auth.hpp"
#include "clueline/services/outcome.hpp"
#include "clueline/services/registry.hpp"
#include "clueline/storage/accounts.hpp"
#include "clueline/storage/audit.hpp"
#include "clueline/storage/records.hpp"

namespace clueline::services {

struct AdminContext {
  AuthContext* auth = nullptr;   // store, writer, pool, sessions, claims, clock
  Registry* registry = nullptr;  // replaced after each registry change
  const routing::Policy* policy = nullptr;
  std::string policy_name = "(built-in)";  // named in policy problems
  std::chrono::seconds invitation_lifetime{7 * 24 * 60 * 60};
};

// ---- deployment and registry ------------------------------------------------------

struct DeploymentInfo {
  std::shared_ptr<const RegistrySnapshot> registry;
  std::vector<std::string> levels;      // the routing policy's, highest first
  std::vector<std::string> categories;  // the routing policy's
  std::size_t accounts = 0;
};
boost::asio::awaitable<Outcome<DeploymentInfo>> deployment_info(AdminContext context, Actor actor);

// The directory (GET /api/v1/directory) for any signed-in actor: the
// registry, levels and categories as deployment_info gives them, with
// `accounts` left 0 (how many accounts exist is the admin's business).
// Reads only the installed snapshot: no I/O, callable on any thread.
Outcome<DeploymentInfo> directory_info(const AdminContext& context, const Actor& actor);

struct NewUnit {
  std::string name;  // 1..200 bytes of UTF-8
  std::string level;
  std::uint32_t parent_id = 0;  // 0: a root
};
// A unit without keys (keys come with certificates naming the unit's id,
// which this assigns: add_unit_key). invalid_argument naming the problem
// (name, level, parent, a unit that would not fit the tree or the policy).
boost::asio::awaitable<Outcome<storage::Unit>> add_unit(AdminContext context, Actor actor,
                                                        NewUnit unit);

struct NewUnitKey {
  std::uint32_t unit_id = 0;
  std::string certificate;  // crypto-spec §3.1, raw bytes; names the key
  // The key the certificate was signed with. A deployment without a
  // deployment record gets one (as NewSite's key makes it); otherwise it
  // must be the recorded key (conflict otherwise).
  crypto::SigningPublicKey deployment_key{};
};
// The certified key becomes the unit's only current key (rotation); a key the
// unit has already gets the new certificate (renewal). invalid_argument for a
// certificate that is malformed, does not verify, is not for this unit (id,
// level, parent), is expired or not valid yet, or a key another unit holds.
boost::asio::awaitable<Outcome<storage::Unit>> add_unit_key(AdminContext context, Actor actor,
                                                            NewUnitKey request);
// The unit stops receiving clues (routing goes on to the units above it);
// invalid_argument if the routing policy designates it.
boost::asio::awaitable<Outcome<storage::Unit>> deactivate_unit(AdminContext context, Actor actor,
                                                               std::uint32_t unit_id);

struct NewSite {
  std::string name;
  std::uint32_t unit_id = 0;
  std::string kind;  // [a-z0-9_]{1,32}
  // The key the client will sign the token with. The first site of a
  // deployment records it (with a random receipt salt); later ones must
  // name the recorded key (conflict otherwise).
  crypto::SigningPublicKey site_signing_public_key{};
};
boost::asio::awaitable<Outcome<storage::Site>> add_site(AdminContext context, Actor actor,
                                                        NewSite site);
// The site's token version goes up: every poster printed before is refused.
boost::asio::awaitable<Outcome<storage::Site>> revoke_site(AdminContext context, Actor actor,
                                                           std::uint32_t site_id);

// ---- accounts -----------------------------------------------------------------

struct IssuedInvitation {
  std::array<std::byte, crypto::kInvitationCodeBytes> code{};  // shown once
  storage::Invitation invitation;
};
// conflict if the name is taken by an account or an open invitation.
boost::asio::awaitable<Outcome<IssuedInvitation>> invite_account(AdminContext context, Actor actor,
                                                                 std::string login_name,
                                                                 std::uint32_t unit_id,
                                                                 storage::Role role);

struct Activation {
  std::array<std::byte, crypto::kInvitationCodeBytes> code{};
  storage::Bytes16 salt{};
  crypto::KdfParams kdf;
  crypto::SigningPublicKey auth_public_key{};
  crypto::BoxPublicKey box_public_key{};
  std::vector<std::byte> proof;  // crypto::sign_activation
  bool second_factor = false;    // ask for a TOTP secret
};
struct Activated {
  storage::Account account;
  std::string totp_secret;  // raw bytes when second_factor was asked
};
// No session needed: the code is the credential. not_found for an unknown,
// used or expired code (alike); authentication_failed for a wrong proof;
// conflict if the name was taken meanwhile.
boost::asio::awaitable<Outcome<Activated>> activate_account(AdminContext context,
                                                            Activation activation);

enum class AccountChange { kDisable, kEnable, kUnlock, kResetSecondFactor };
std::optional<AccountChange> parse_account_change(std::string_view name) noexcept;
std::string_view account_change_name(AccountChange change) noexcept;
// Disabling ends the account's sessions; unlocking clears its failures.
boost::asio::awaitable<Outcome<storage::Account>> change_account(AdminContext context, Actor actor,
                                                                 std::uint32_t account_id,
                                                                 AccountChange change);

// Accounts of `unit_id` (admin: any unit; unit_admin: its own).
boost::asio::awaitable<Outcome<std::vector<storage::Account>>> unit_accounts(AdminContext context,
                                                                             Actor actor,
                                                                             std::uint32_t unit_id);

// Accounts of the actor's own unit that hold neither a wrapped key nor a
// pending grant for one of the unit's current keys, and have a box key.
struct AwaitingKey {
  storage::Account account;
  std::vector<storage::Bytes16> missing_key_ids;
};
boost::asio::awaitable<Outcome<std::vector<AwaitingKey>>> accounts_awaiting_key(
    AdminContext context, Actor actor);

// Stores a unit-key grant for `account_id` (a handler or unit_admin of the
// actor's own unit). invalid_argument for a key id the unit does not have,
// a grant that is not 80 bytes, or an account without a box key.
boost::asio::awaitable<Outcome<storage::Account>> grant_unit_key(AdminContext context, Actor actor,
                                                                 std::uint32_t account_id,
                                                                 storage::Bytes16 key_id,
                                                                 std::string grant);

// The actor's device stores a CLK1 blob for a key of its unit (after
// opening a grant, or re-wrapping); the pending grant of that key goes.
// invalid_argument unless the blob parses, names `key_id`, carries the
// account's salt and the key is one of the unit's.
boost::asio::awaitable<Outcome<storage::Account>> store_own_wrapped_key(AdminContext context,
                                                                        Actor actor,
                                                                        storage::Bytes16 key_id,
                                                                        std::string blob);

}  // namespace clueline::services
