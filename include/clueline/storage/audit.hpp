// The audit log: an append-only, hash-chained record of who did what
// (docs/audit.md).
//
// Storage. Entry `seq` (1, 2, 3, ...) lives in Family::kAudit under
// audit_key(seq), an 8-byte big-endian number, as versioned JSON. Each
// entry's hash covers its fields and the previous entry's hash (all zero for
// seq 1), so changing, removing or reordering any entry breaks every link
// after it. The chain head {seq, hash} is kept in kMeta under kAuditHeadKey
// and is rewritten in the same batch as the entries it covers; an empty log
// has no head record, which reads as {0, all zero}.
//
// Tamper evidence against whoever runs the server needs more than the chain
// (they could recompute it): an auditor signs checkpoints of the head with a
// key the server never sees and keeps them off the server. Checking a
// checkpoint against the database then shows whether the history up to it
// was rewritten.
//
// Writers. Exactly one writer may extend the chain at a time, as each append
// reads the head and then writes it: while the server runs that is its
// GroupCommitWriter (Submission::audit); offline, the command-line tools
// (append_audit), which hold the database lock.
//
// Errors: invalid_argument for a record or key this module refuses;
// storage_corruption for a stored entry, head or checkpoint file that does
// not decode (decoding never throws); the Store's own errors otherwise.
// Thread safety: the functions are stateless and may run concurrently, except
// that appends must not race each other (above). Everything that takes a
// Store blocks on disk I/O; keep it off network threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::storage {

// What a caller asks to log.
struct AuditRecord {
  UnixSeconds at = 0;  // server clock; >= 0
  std::string actor;   // who: "system:escalation", "operator:cli", "account:17";
                       // 1..128 bytes of printable ASCII (0x20..0x7e)
  std::string action;  // what: "clue.escalate", "unit.add"; [a-z0-9_.]{1,64}
  std::string object;  // on what: "clue:<base64url id>", "unit:12"; as actor
  std::string detail;  // a JSON object as text ("{}" if nothing), at most 4096
                       // bytes; hashed and stored byte for byte as given
  friend bool operator==(const AuditRecord&, const AuditRecord&) = default;
};

struct AuditEntry {
  std::uint64_t seq = 0;
  AuditRecord record;
  Bytes32 prev_hash{};
  Bytes32 hash{};
  friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

struct AuditHead {
  std::uint64_t seq = 0;  // the last entry's seq; 0 for an empty log
  Bytes32 hash{};         // the last entry's hash; all zero for an empty log
  friend bool operator==(const AuditHead&, const AuditHead&) = default;
};

inline constexpr std::string_view kAuditHeadKey = "audit_head";  // kMeta
inline constexpr std::size_t kMaxAuditActorBytes = 128;
inline constexpr std::size_t kMaxAuditActionBytes = 64;
inline constexpr std::size_t kMaxAuditObjectBytes = 128;
inline constexpr std::size_t kMaxAuditDetailBytes = 4096;

// kAudit key of entry `seq`: u64be(seq).
std::string audit_key(std::uint64_t seq);

// Success if `record` is within the limits of AuditRecord; invalid_argument
// otherwise.
result<void> validate(const AuditRecord& record);

// BLAKE2b-256 of the canonical encoding (docs/audit.md): "clueline/audit/v1"
// ‖ u64be seq ‖ i64be at ‖ (u32be length ‖ bytes) of actor, action, object
// and detail ‖ prev_hash. Does not validate `record`.
Bytes32 audit_hash(std::uint64_t seq, const AuditRecord& record, const Bytes32& prev_hash);

// The stored forms: {"v":1,"seq","at","actor","action","object","detail",
// "prev_hash","hash"} and {"v":1,"seq","hash"}, hashes in lower-case hex.
// Decoding checks the form, not the hash (verify_audit does that).
std::string encode(const AuditEntry& entry);
std::string encode(const AuditHead& head);
result<AuditEntry> decode_audit_entry(std::string_view bytes);
result<AuditHead> decode_audit_head(std::string_view bytes);

// The stored head; {0, all zero} if there is none yet.
result<AuditHead> load_audit_head(const Store& store);

// The mutations that append `records` after `head`: one put per entry, in
// seq order, followed by one put of the new head record (nothing at all for
// no records); `head` is advanced to the last entry. Validates every record
// first: invalid_argument leaves `head` untouched. Does no I/O; the caller
// writes the mutations in one batch and owns the head (see "Writers").
result<std::vector<Mutation>> chain_audit_records(AuditHead& head,
                                                  std::span<const AuditRecord> records);

// load_audit_head + chain_audit_records + one synced write: for offline tools
// holding the database lock, never while the server runs. Returns the new
// head. Nothing is written on error.
result<AuditHead> append_audit(Store& store, std::span<const AuditRecord> records);

// Up to `limit` entries with seq >= from_seq (0 counts as 1), in seq order,
// up to the stored head; missing entries are skipped, entries beyond the head
// are not listed (verify_audit reports both). storage_corruption if an entry
// in range, or the head record, does not decode or sits under the wrong key.
result<std::vector<AuditEntry>> read_audit(const Store& store, std::uint64_t from_seq,
                                           std::size_t limit);

struct AuditVerification {
  std::uint64_t entries = 0;  // entries found intact, from seq 1 on
  AuditHead head;             // recomputed: the last intact entry's seq and hash
  bool intact = true;
  // When !intact: the first entry that is missing or wrong (for a head record
  // that disagrees with the entries, the first seq it gets wrong), and one
  // line saying what: hash mismatch, prev link mismatch, gap in seq, entry
  // stored under the wrong key, undecodable entry, head record mismatch.
  std::uint64_t first_bad_seq = 0;
  std::string problem;
};

// Recomputes the whole chain from seq 1 and compares it with every stored
// hash, every prev link and the head record; stops at the first problem.
// Reads the family a page of 256 seqs at a time (one prefix scan per page),
// so it is O(entries) in time and O(1) in memory, plus at most 7 x 255
// one-key scans after the last page that find any entry beyond a gap. A
// broken log is a successful result with intact == false; errors are the
// store's read errors only.
result<AuditVerification> verify_audit(const Store& store);

// ---- signed checkpoints -----------------------------------------------------

// An Ed25519 signature (crypto_sign_detached) by `signer_public_key` over
// "clueline/audit-checkpoint/v1" ‖ u64be seq ‖ hash ‖ i64be at. Kept by the
// auditor, never in the database.
struct AuditCheckpoint {
  std::uint64_t seq = 0;
  Bytes32 hash{};
  UnixSeconds at = 0;  // when it was made
  std::array<std::byte, 64> signature{};
  Bytes32 signer_public_key{};
  friend bool operator==(const AuditCheckpoint&, const AuditCheckpoint&) = default;
};

// Signs `head` at time `at`. `signing_secret_key` is a 64-byte libsodium
// Ed25519 secret key (seed ‖ public key), as in a `clueline keygen
// site-signing` .key file; invalid_argument unless it is a consistent pair.
result<AuditCheckpoint> make_audit_checkpoint(const AuditHead& head, UnixSeconds at,
                                              std::span<const std::byte> signing_secret_key);

// authentication_failed unless `checkpoint` names `trusted_public_key` as its
// signer and its signature verifies with that key.
result<void> verify_audit_checkpoint_signature(const AuditCheckpoint& checkpoint,
                                               const Bytes32& trusted_public_key);

// verify_audit_checkpoint_signature, then: the stored entry at
// checkpoint.seq must exist (not_found otherwise), decode
// (storage_corruption) and have exactly the checkpoint's hash, both as stored
// and as recomputed from its fields (conflict otherwise: history was
// rewritten). A checkpoint of seq 0 needs an all-zero hash. Together with an
// intact verify_audit this shows that entries 1..seq are the ones signed.
result<void> check_audit_checkpoint(const Store& store, const AuditCheckpoint& checkpoint,
                                    const Bytes32& trusted_public_key);

// The checkpoint file: {"v":1,"seq","hash","at","signature",
// "signer_public_key"}, binary in lower-case hex.
std::string encode(const AuditCheckpoint& checkpoint);
result<AuditCheckpoint> decode_audit_checkpoint(std::string_view bytes);

}  // namespace clueline::storage
