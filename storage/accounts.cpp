#include "clueline/storage/accounts.hpp"

#include <algorithm>
#include <boost/algorithm/hex.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <chrono>
#include <cstring>
#include <iterator>

#include "clueline/common/utc_time.hpp"
#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "json_record.hpp"
#include "registry_write.hpp"

namespace clueline::storage {
namespace {

namespace json = boost::json;
using json_record::array_field;
using json_record::bytes_field;
using json_record::Corrupt;
using json_record::decode_with;
using json_record::hex;
using json_record::hex_string;
using json_record::integer_field;
using json_record::object_of;
using json_record::string_field;
using json_record::unhex_string;
using json_record::versioned;

constexpr std::size_t kMaxRecords = 1'000'000;
constexpr std::size_t kWrappedKeyBytes = 116;
constexpr std::size_t kMaxTotpSecretBytes = 64;
constexpr std::size_t kGrantBytes = 80;
constexpr std::size_t kMaxGrants = 64;
constexpr std::size_t kMaxInvitations = 100'000;

template <typename Enum>
Enum enum_field(const json::object& object, std::string_view name, int first, int last) {
  const int value = integer_field<int>(object, name);
  if (value < first || value > last) throw Corrupt{};
  return static_cast<Enum>(value);
}

json::object account_detail(const Account& account) {
  json::array key_ids;
  for (const WrappedUnitKey& key : account.wrapped_keys) {
    key_ids.emplace_back(crypto::to_base64url(key.key_id));
  }
  return {{"login_name", account.login_name},
          {"unit_id", account.unit_id},
          {"role", role_name(account.role)},
          {"state", state_name(account.state)},
          {"auth_public_key", crypto::to_base64url(account.auth_public_key)},
          {"wrapped_key_ids", std::move(key_ids)},
          {"box_public_key", crypto::to_base64url(account.box_public_key)},
          {"pending_grants", account.pending_grants.size()},
          {"totp", !account.totp_secret.empty()}};
}

std::string id_value(std::uint32_t id) {
  std::string value(4, '\0');
  for (int i = 0; i < 4; ++i) value[i] = static_cast<char>(id >> (24 - 8 * i));
  return value;
}

}  // namespace

std::string_view role_name(Role role) noexcept {
  switch (role) {
    case Role::kHandler:
      return "handler";
    case Role::kUnitAdmin:
      return "unit_admin";
    case Role::kAuditor:
      return "auditor";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view name) noexcept {
  for (const Role role : {Role::kHandler, Role::kUnitAdmin, Role::kAuditor, Role::kAdmin}) {
    if (role_name(role) == name) return role;
  }
  return std::nullopt;
}

std::string_view state_name(AccountState state) noexcept {
  switch (state) {
    case AccountState::kActive:
      return "active";
    case AccountState::kDisabled:
      return "disabled";
    case AccountState::kLocked:
      return "locked";
  }
  return "unknown";
}

bool valid_login_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64) return false;
  const auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  };
  if (!std::all_of(name.begin(), name.end(), allowed)) return false;
  return std::isalnum(static_cast<unsigned char>(name.front())) != 0;
}

std::string account_key(std::uint32_t account_id) { return "a" + id_value(account_id); }

std::string account_name_key(std::string_view login) { return "n" + std::string(login); }

std::string invitation_key(const Bytes32& code_hash) {
  std::string key = "i";
  key.append(reinterpret_cast<const char*>(code_hash.data()), code_hash.size());
  return key;
}

std::string encode(const Account& value) {
  json::object object = versioned();
  object["id"] = value.id;
  object["login_name"] = value.login_name;
  object["unit_id"] = value.unit_id;
  object["role"] = static_cast<int>(value.role);
  object["auth_public_key"] = hex(value.auth_public_key);
  object["salt"] = hex(value.salt);
  object["kdf_opslimit"] = value.kdf_opslimit;
  object["kdf_memlimit"] = value.kdf_memlimit;
  json::array keys;
  for (const WrappedUnitKey& key : value.wrapped_keys) {
    keys.push_back(json::object{{"key_id", hex(key.key_id)}, {"blob", hex_string(key.blob)}});
  }
  object["wrapped_keys"] = std::move(keys);
  object["box_public_key"] = hex(value.box_public_key);
  json::array grants;
  for (const UnitKeyGrant& grant : value.pending_grants) {
    grants.push_back(json::object{{"key_id", hex(grant.key_id)},
                                  {"grant", hex_string(grant.grant)},
                                  {"granted_by", grant.granted_by}});
  }
  object["pending_grants"] = std::move(grants);
  object["state"] = static_cast<int>(value.state);
  object["totp_secret"] = hex_string(value.totp_secret);
  object["created_at"] = value.created_at;
  object["last_login_at"] = value.last_login_at;
  object["failed_logins"] = value.failed_logins;
  object["last_failed_at"] = value.last_failed_at;
  return json::serialize(object);
}

result<Account> decode_account(std::string_view bytes) {
  return decode_with<Account>(bytes, [](const json::object& object) {
    Account account;
    account.id = integer_field<std::uint32_t>(object, "id");
    account.login_name = string_field(object, "login_name");
    if (!valid_login_name(account.login_name)) throw Corrupt{};
    account.unit_id = integer_field<std::uint32_t>(object, "unit_id");
    account.role = enum_field<Role>(object, "role", 1, 4);
    account.auth_public_key = bytes_field<32>(object, "auth_public_key");
    account.salt = bytes_field<16>(object, "salt");
    account.kdf_opslimit = integer_field<std::uint32_t>(object, "kdf_opslimit");
    account.kdf_memlimit = integer_field<std::uint64_t>(object, "kdf_memlimit");
    for (const json::value& key : array_field(object, "wrapped_keys")) {
      const json::object& entry = object_of(key);
      WrappedUnitKey wrapped{.key_id = bytes_field<16>(entry, "key_id"),
                             .blob = unhex_string(string_field(entry, "blob"), kWrappedKeyBytes)};
      if (wrapped.blob.size() != kWrappedKeyBytes) throw Corrupt{};
      account.wrapped_keys.push_back(std::move(wrapped));
    }
    // Records written before onboarding existed have neither field.
    if (object.contains("box_public_key")) {
      account.box_public_key = bytes_field<32>(object, "box_public_key");
    }
    if (object.contains("pending_grants")) {
      for (const json::value& item : array_field(object, "pending_grants")) {
        const json::object& entry = object_of(item);
        UnitKeyGrant grant{.key_id = bytes_field<16>(entry, "key_id"),
                           .grant = unhex_string(string_field(entry, "grant"), kGrantBytes),
                           .granted_by = integer_field<std::uint32_t>(entry, "granted_by")};
        if (grant.grant.size() != kGrantBytes) throw Corrupt{};
        account.pending_grants.push_back(std::move(grant));
      }
      if (account.pending_grants.size() > kMaxGrants) throw Corrupt{};
    }
    account.state = enum_field<AccountState>(object, "state", 1, 3);
    account.totp_secret = unhex_string(string_field(object, "totp_secret"), kMaxTotpSecretBytes);
    account.created_at = integer_field<std::int64_t>(object, "created_at");
    account.last_login_at = integer_field<std::int64_t>(object, "last_login_at");
    account.failed_logins = integer_field<std::uint32_t>(object, "failed_logins");
    account.last_failed_at = integer_field<std::int64_t>(object, "last_failed_at");
    return account;
  });
}

std::string encode(const Invitation& value) {
  json::object object = versioned();
  object["code_hash"] = hex(value.code_hash);
  object["login_name"] = value.login_name;
  object["unit_id"] = value.unit_id;
  object["role"] = static_cast<int>(value.role);
  object["created_by"] = value.created_by;
  object["created_at"] = value.created_at;
  object["expires_at"] = value.expires_at;
  return json::serialize(object);
}

result<Invitation> decode_invitation(std::string_view bytes) {
  return decode_with<Invitation>(bytes, [](const json::object& object) {
    Invitation invitation;
    invitation.code_hash = bytes_field<32>(object, "code_hash");
    invitation.login_name = string_field(object, "login_name");
    if (!valid_login_name(invitation.login_name)) throw Corrupt{};
    invitation.unit_id = integer_field<std::uint32_t>(object, "unit_id");
    invitation.role = enum_field<Role>(object, "role", 1, 4);
    invitation.created_by = integer_field<std::uint32_t>(object, "created_by");
    invitation.created_at = integer_field<std::int64_t>(object, "created_at");
    invitation.expires_at = integer_field<std::int64_t>(object, "expires_at");
    return invitation;
  });
}

result<Invitation> get_invitation(const Store& store, const Bytes32& code_hash) {
  auto stored = store.get(Family::kAccounts, invitation_key(code_hash));
  if (!stored) return stored.error();
  auto invitation = decode_invitation(*stored);
  if (invitation && invitation->code_hash != code_hash) return errc::storage_corruption;
  return invitation;
}

result<std::vector<Invitation>> list_invitations(const Store& store) {
  auto rows = store.scan(Family::kAccounts, "i", kMaxInvitations);
  if (!rows) return rows.error();
  std::vector<Invitation> invitations;
  invitations.reserve(rows->size());
  for (const auto& [key, value] : *rows) {
    auto invitation = decode_invitation(value);
    if (!invitation) return invitation.error();
    invitations.push_back(std::move(*invitation));
  }
  return invitations;
}

result<std::uint32_t> next_account_id(const Store& store) {
  return detail::next_registry_id(store, kNextAccountIdKey);
}

RegistryChange account_added(const Account& account) {
  return {
      .mutations = {{Family::kAccounts, account_key(account.id), encode(account)},
                    {Family::kAccounts, account_name_key(account.login_name), id_value(account.id)},
                    {Family::kMeta, std::string(kNextAccountIdKey),
                     std::to_string(account.id + 1)}},
      .action = "account.add",
      .object = "account:" + std::to_string(account.id),
      .detail = json::serialize(account_detail(account))};
}

RegistryChange account_updated(const Account& account, std::string action) {
  return {.mutations = {{Family::kAccounts, account_key(account.id), encode(account)}},
          .action = std::move(action),
          .object = "account:" + std::to_string(account.id),
          .detail = json::serialize(account_detail(account))};
}

RegistryChange invitation_added(const Invitation& invitation) {
  // The object names the invitation by a prefix of its code's hash: enough
  // to tell invitations apart in the log, useless for activating one.
  return {
      .mutations = {{Family::kAccounts, invitation_key(invitation.code_hash), encode(invitation)}},
      .action = "account.invite",
      .object = "invitation:" + hex(invitation.code_hash).substr(0, 16),
      .detail = json::serialize(json::object{{"login_name", invitation.login_name},
                                             {"unit_id", invitation.unit_id},
                                             {"role", role_name(invitation.role)},
                                             {"expires_at", utc_text(invitation.expires_at)}})};
}

result<Account> get_account(const Store& store, std::uint32_t account_id) {
  auto stored = store.get(Family::kAccounts, account_key(account_id));
  if (!stored) return stored.error();
  return decode_account(*stored);
}

result<Account> find_account(const Store& store, std::string_view login_name) {
  if (!valid_login_name(login_name)) return errc::not_found;
  auto stored = store.get(Family::kAccounts, account_name_key(login_name));
  if (!stored) return stored.error();
  if (stored->size() != 4) return errc::storage_corruption;
  std::uint32_t id = 0;
  for (const char c : *stored) id = (id << 8) | static_cast<unsigned char>(c);
  auto account = get_account(store, id);
  if (!account) return account.error() == errc::not_found ? errc::storage_corruption : account;
  if (account->login_name != login_name) return errc::storage_corruption;
  return account;
}

result<std::vector<Account>> list_accounts(const Store& store) {
  auto rows = store.scan(Family::kAccounts, "a", kMaxRecords);
  if (!rows) return rows.error();
  std::vector<Account> accounts;
  accounts.reserve(rows->size());
  for (const auto& [key, value] : *rows) {
    auto account = decode_account(value);
    if (!account) return account.error();
    accounts.push_back(std::move(*account));
  }
  return accounts;
}

result<Bytes32> load_or_create_auth_secret(Store& store) {
  auto stored = store.get(Family::kMeta, kAuthSecretKey);
  Bytes32 secret{};
  if (stored) {
    if (stored->size() != secret.size()) return errc::storage_corruption;
    std::memcpy(secret.data(), stored->data(), secret.size());
    return secret;
  }
  if (stored.error() != errc::not_found) return stored.error();
  crypto::random_bytes(secret);
  const std::vector<Mutation> batch{
      {Family::kMeta, std::string(kAuthSecretKey),
       std::string(reinterpret_cast<const char*>(secret.data()), secret.size())}};
  if (auto written = store.write(batch); !written) return written.error();
  return secret;
}

result<std::uint32_t> add_account(Store& store, Account account) {
  if (!valid_login_name(account.login_name) || account.auth_public_key == Bytes32{}) {
    return errc::invalid_argument;
  }
  if (auto unit = get_unit(store, account.unit_id); !unit) {
    return unit.error() == errc::not_found ? errc::invalid_argument : unit.error();
  }
  if (auto taken = store.get(Family::kAccounts, account_name_key(account.login_name)); taken) {
    return errc::conflict;
  } else if (taken.error() != errc::not_found) {
    return taken.error();
  }
  auto id = detail::next_registry_id(store, kNextAccountIdKey);
  if (!id) return id.error();
  account.id = *id;
  if (account.created_at == 0) {
    account.created_at = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  }
  if (auto written = detail::write_registry_change(store, account_added(account)); !written) {
    return written.error();
  }
  return account.id;
}

result<void> put_account(Store& store, const Account& account, std::string action) {
  auto existing = get_account(store, account.id);
  if (!existing) return existing.error();
  if (existing->login_name != account.login_name) return errc::invalid_argument;
  return detail::write_registry_change(store, account_updated(account, std::move(action)));
}

}  // namespace clueline::storage
