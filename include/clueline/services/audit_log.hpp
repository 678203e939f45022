// The audit log for auditors while the server runs (docs/audit.md,
// "Reading the log over the API").
//
// An auditor reads the log of its unit's subtree: every entry of a range,
// those that concern a unit of the subtree in full and the others withheld
// (only their seq and hashes), so that the client can still recompute the
// whole chain from the first entry and compare it with a signed checkpoint.
// An auditor of the deployment's only top unit sees every entry in full.
//
// Thread safety: every function may be called from any thread; the
// context's pointers are not owned and must outlive every call.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "clueline/services/auth.hpp"
#include "clueline/services/authorization.hpp"
#include "clueline/services/outcome.hpp"
#include "clueline/services/registry.hpp"
#include "clueline/storage/audit.hpp"

namespace clueline::services {

// The units an audit record is about, as far as they can be told from it:
// the unit of an acting account ("account:<a>"), the object's unit
// ("unit:<n>"; a site's unit; an account's unit) and the detail's
// "unit_id" and "handling_unit_id". `account_units` maps account ids to
// their units. Unknown ids add nothing. Pure; no I/O.
std::vector<std::uint32_t> units_concerned(
    const storage::AuditRecord& record, const RegistrySnapshot& registry,
    const std::unordered_map<std::uint32_t, std::uint32_t>& account_units);

struct AuditPageEntry {
  storage::AuditEntry entry;  // entry.record left empty when withheld
  bool withheld = false;      // about no unit of the subtree
};

struct AuditPage {
  storage::AuditHead head;    // as stored now
  std::uint32_t unit_id = 0;  // the top of the subtree read
  bool whole_log = false;     // nothing is withheld from this reader
  std::vector<AuditPageEntry> entries;
};
inline constexpr std::size_t kMaxAuditPage = 1000;

// Up to `limit` (1..kMaxAuditPage) entries from `from_seq` on, with the head,
// for the client to verify the chain itself. `unit_id` is the top of the
// subtree to read, 0 for the actor's own unit; only an auditor of that unit
// or one above it may (forbidden otherwise). invalid_argument for a limit
// out of range; storage errors as unavailable.
boost::asio::awaitable<Outcome<AuditPage>> read_audit_log(AuthContext context, Actor actor,
                                                          std::uint32_t unit_id,
                                                          std::uint64_t from_seq,
                                                          std::size_t limit);

}  // namespace clueline::services
