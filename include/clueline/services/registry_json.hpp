// The JSON form of registry records, one for the administration API and
// the command line alike (so `unit list` prints the same objects offline
// and with --server). Binary values are base64url, times RFC 3339 UTC.
// Never carries a secret: no TOTP secret, no wrapped or granted key bytes
// (account_json), only ids and public keys.
#pragma once

#include <boost/json/object.hpp>

#include "clueline/storage/accounts.hpp"
#include "clueline/storage/audit.hpp"
#include "clueline/storage/records.hpp"

namespace clueline::services {

// {"id", "name", "level", "parent_id", "active", "receiving",
//  "keys": [{"key_id", "public_key", "current"}]}
boost::json::object unit_json(const storage::Unit& unit);

// {"id", "name", "unit_id", "kind", "token_version"}
boost::json::object site_json(const storage::Site& site);

// {"id", "login_name", "unit_id", "role", "state", "second_factor",
//  "wrapped_key_ids", "pending_grant_key_ids", "created_at", "last_login_at"
//  (null if never), and when the account has a box key "box_public_key" and
//  "auth_public_key" with their "fingerprint" (crypto-spec §9.4)}
boost::json::object account_json(const storage::Account& account);

// {"seq", "hash"}: the audit log's head; hashes in lower-case hex, as
// docs/audit.md recomputes them.
boost::json::object audit_head_json(const storage::AuditHead& head);
// {"seq", "at", "actor", "action", "object", "detail", "prev_hash", "hash"}:
// `at` in RFC 3339 (it is whole seconds, so the hashed number is recovered
// exactly), the detail as the exact text that was hashed, so that anyone
// can recompute the chain from it.
boost::json::object audit_entry_json(const storage::AuditEntry& entry);
// {"seq", "withheld": true, "prev_hash", "hash"}: an entry an auditor of a
// subtree may not read, but needs to link the chain through.
boost::json::object withheld_audit_entry_json(const storage::AuditEntry& entry);

// RFC 3339 UTC with seconds.
std::string time_json(storage::UnixSeconds seconds);

}  // namespace clueline::services
