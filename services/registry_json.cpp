#include "clueline/services/registry_json.hpp"

#include <boost/json/array.hpp>

#include "clueline/common/utc_time.hpp"
#include "clueline/crypto/account.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/services/intake.hpp"

namespace clueline::services {

namespace json = boost::json;

json::object unit_json(const storage::Unit& unit) {
  json::array keys;
  for (const storage::UnitKey& key : unit.keys) {
    keys.push_back(
        json::object{{"key_id", crypto::to_base64url(key.key_id)},
                     {"public_key", crypto::to_base64url(key.public_key)},
                     {"current", key.current},
                     {"certificate", crypto::to_base64url(crypto::as_bytes(key.certificate))}});
  }
  return {{"id", unit.id},          {"name", unit.name},
          {"level", unit.level},    {"parent_id", unit.parent_id},
          {"active", unit.active},  {"receiving", unit.receiving()},
          {"keys", std::move(keys)}};
}

json::object site_json(const storage::Site& site) {
  return {{"id", site.id},
          {"name", site.name},
          {"unit_id", site.unit_id},
          {"kind", site.kind},
          {"token_version", site.token_version}};
}

namespace {

template <std::size_t N>
std::string hex(const std::array<std::byte, N>& bytes) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * N);
  for (const std::byte b : bytes) {
    out += kDigits[std::to_integer<unsigned>(b) >> 4];
    out += kDigits[std::to_integer<unsigned>(b) & 15];
  }
  return out;
}

}  // namespace

json::object audit_head_json(const storage::AuditHead& head) {
  return {{"seq", head.seq}, {"hash", hex(head.hash)}};
}

json::object audit_entry_json(const storage::AuditEntry& entry) {
  return {{"seq", entry.seq},
          {"at", utc_text(entry.record.at)},
          {"actor", entry.record.actor},
          {"action", entry.record.action},
          {"object", entry.record.object},
          {"detail", entry.record.detail},
          {"prev_hash", hex(entry.prev_hash)},
          {"hash", hex(entry.hash)}};
}

json::object withheld_audit_entry_json(const storage::AuditEntry& entry) {
  return {{"seq", entry.seq},
          {"withheld", true},
          {"prev_hash", hex(entry.prev_hash)},
          {"hash", hex(entry.hash)}};
}

std::string time_json(storage::UnixSeconds seconds) { return utc_text(seconds); }

json::object account_json(const storage::Account& account) {
  json::array wrapped;
  for (const auto& key : account.wrapped_keys) {
    wrapped.emplace_back(crypto::to_base64url(key.key_id));
  }
  json::array granted;
  for (const auto& grant : account.pending_grants) {
    granted.emplace_back(crypto::to_base64url(grant.key_id));
  }
  json::object object{{"id", account.id},
                      {"login_name", account.login_name},
                      {"unit_id", account.unit_id},
                      {"role", storage::role_name(account.role)},
                      {"state", storage::state_name(account.state)},
                      {"second_factor", !account.totp_secret.empty()},
                      {"wrapped_key_ids", std::move(wrapped)},
                      {"pending_grant_key_ids", std::move(granted)},
                      {"created_at", time_json(account.created_at)},
                      {"last_login_at", account.last_login_at == 0
                                            ? json::value(nullptr)
                                            : json::value(time_json(account.last_login_at))}};
  if (account.box_public_key != storage::Bytes32{}) {
    object["auth_public_key"] = crypto::to_base64url(account.auth_public_key);
    object["box_public_key"] = crypto::to_base64url(account.box_public_key);
    object["fingerprint"] =
        crypto::account_fingerprint(crypto::SigningPublicKey{account.auth_public_key},
                                    crypto::BoxPublicKey{account.box_public_key});
  }
  return object;
}

}  // namespace clueline::services
