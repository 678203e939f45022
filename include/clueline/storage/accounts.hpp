// Supervisor accounts as stored (kAccounts), their keys and encoding, and
// the offline registry functions that create them.
//
// kAccounts keys: 'a' ‖ u32be id → the account record; 'n' ‖ login name →
// u32be id (login names are unique). The next id is kMeta
// "next_account_id". kMeta "auth_secret" holds 32 random bytes from which
// the server derives the stand-in salts of unknown login names (so that an
// unknown name looks like a known one) and its login challenge MACs.
//
// The server never stores a passphrase, a key derived from one, or a unit
// secret key: an account holds the login public key (crypto-spec §9), the
// Argon2id salt and parameters, and per unit key id a CLK1 blob that only
// the passphrase opens.
//
// Thread safety: stateless functions. The registry functions (add_account)
// are blocking and for tools holding the database lock; the running server
// writes account changes through the group-commit writer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::storage {

enum class Role : std::uint8_t {
  kHandler = 1,  // works its unit's clues
  kUnitAdmin,    // a handler who also manages its unit's accounts
  kAuditor,      // reads and verifies the audit log of its unit's subtree
  kAdmin,        // the deployment registry; never clue content
};
std::string_view role_name(Role role) noexcept;
std::optional<Role> parse_role(std::string_view name) noexcept;

enum class AccountState : std::uint8_t { kActive = 1, kDisabled, kLocked };
std::string_view state_name(AccountState state) noexcept;

// A unit secret key wrapped for this account (crypto-spec §9 CLK1 blob).
struct WrappedUnitKey {
  Bytes16 key_id{};
  std::string blob;  // 116 bytes
  friend bool operator==(const WrappedUnitKey&, const WrappedUnitKey&) = default;
};

// A unit secret key sealed to the account's box key by a member of the unit
// (crypto-spec §9.4), waiting for the account's device to open it and store
// it as a WrappedUnitKey.
struct UnitKeyGrant {
  Bytes16 key_id{};
  std::string grant;             // 80 bytes
  std::uint32_t granted_by = 0;  // the granting account
  friend bool operator==(const UnitKeyGrant&, const UnitKeyGrant&) = default;
};

struct Account {
  std::uint32_t id = 0;       // >= 1, assigned by add_account
  std::string login_name;     // [a-z0-9._-]{1,64}
  std::uint32_t unit_id = 0;  // the unit the account works for
  Role role = Role::kHandler;
  Bytes32 auth_public_key{};  // Ed25519: verifies login proofs
  Bytes16 salt{};             // Argon2id salt of the passphrase
  std::uint32_t kdf_opslimit = 0;
  std::uint64_t kdf_memlimit = 0;  // bytes
  std::vector<WrappedUnitKey> wrapped_keys;
  // X25519: unit keys are granted to it (all zero for accounts created
  // before onboarding existed; they cannot receive grants).
  Bytes32 box_public_key{};
  std::vector<UnitKeyGrant> pending_grants;
  AccountState state = AccountState::kActive;
  std::string totp_secret;  // raw bytes; empty = no second factor
  UnixSeconds created_at = 0;
  UnixSeconds last_login_at = 0;  // 0 = never
  // Consecutive failed logins since the last success or unlock, and when
  // the last one was: they set the growing delay before the next attempt.
  std::uint32_t failed_logins = 0;
  UnixSeconds last_failed_at = 0;
  friend bool operator==(const Account&, const Account&) = default;
};

// A one-time invitation to create an account (crypto-spec §9.4): whoever
// holds the 32-byte code may activate it once, before expires_at, as
// `login_name` in `unit_id` with `role`. Only BLAKE2b-32(code) is stored.
struct Invitation {
  Bytes32 code_hash{};
  std::string login_name;
  std::uint32_t unit_id = 0;
  Role role = Role::kHandler;
  std::uint32_t created_by = 0;  // the inviting account; 0 = operator:cli
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
  friend bool operator==(const Invitation&, const Invitation&) = default;
};

// Login names: 1..64 of [a-z0-9._-], starting with a letter or digit.
bool valid_login_name(std::string_view name) noexcept;

std::string account_key(std::uint32_t account_id);                        // kAccounts 'a' ‖ u32be
std::string account_name_key(std::string_view login);                     // kAccounts 'n' ‖ name
std::string invitation_key(const Bytes32& code_hash);                     // kAccounts 'i' ‖ hash
inline constexpr std::string_view kNextAccountIdKey = "next_account_id";  // kMeta
inline constexpr std::string_view kAuthSecretKey = "auth_secret";         // kMeta

std::string encode(const Account& value);
result<Account> decode_account(std::string_view bytes);
std::string encode(const Invitation& value);
result<Invitation> decode_invitation(std::string_view bytes);

// not_found for an unknown id or name.
result<Account> get_account(const Store& store, std::uint32_t account_id);
result<Account> find_account(const Store& store, std::string_view login_name);
// Every account in id order (at most 1,000,000).
result<std::vector<Account>> list_accounts(const Store& store);
// The id the next account gets (kMeta next_account_id).
result<std::uint32_t> next_account_id(const Store& store);
result<Invitation> get_invitation(const Store& store, const Bytes32& code_hash);
// Every stored invitation, expired ones included (at most 100,000).
result<std::vector<Invitation>> list_invitations(const Store& store);

// Registry changes (records.hpp) of accounts, with the audit detail every
// account change carries (name, unit, role, state, key ids; never a secret).
// account_added: `account.id` assigned; writes the record, the name index
// and next_account_id = id + 1.
RegistryChange account_added(const Account& account);
// `action`: "account.update", "account.unlock", "account.disable", ...
RegistryChange account_updated(const Account& account, std::string action);
RegistryChange invitation_added(const Invitation& invitation);

// The deployment's auth secret (32 bytes), created (synced) on first use.
// Blocking; for start-up and offline tools.
result<Bytes32> load_or_create_auth_secret(Store& store);

// Offline registry: stores `account` under the next free id with its name
// index and an "account.add" audit entry ("operator:cli") in one synced
// batch; returns the id. invalid_argument for a malformed login name, an
// unknown unit, or no auth key; conflict if the name is taken.
result<std::uint32_t> add_account(Store& store, Account account);
// Offline registry: replaces an existing account (same id, same name) with
// an audit entry `action` ("account.update", "account.unlock", ...).
result<void> put_account(Store& store, const Account& account, std::string action);

}  // namespace clueline::storage
