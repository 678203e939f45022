#include "clueline/storage/audit.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstring>
#include <exception>
#include <iterator>
#include <limits>
#include <optional>
#include <utility>

#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/hash.hpp"
#include "clueline/crypto/keys.hpp"
#include "json_record.hpp"

namespace clueline::storage {
namespace {

namespace json = boost::json;
using json_record::append_bytes;
using json_record::append_u32be;
using json_record::append_u64be;
using json_record::bytes_field;
using json_record::Corrupt;
using json_record::decode_with;
using json_record::hex;
using json_record::integer_field;
using json_record::kFormatVersion;
using json_record::read_u64be;
using json_record::string_field;

constexpr std::string_view kEntryDomain = "clueline/audit/v1";
constexpr std::string_view kCheckpointDomain = "clueline/audit-checkpoint/v1";

// Verification and listing read the family one "page" at a time: the 256
// seqs sharing the first 7 key bytes, found with one prefix scan. Store has
// no range scan, and a prefix is the only way to bound what one scan reads.
constexpr std::size_t kPagePrefixBytes = 7;
constexpr std::uint64_t kSeqsPerPage = 256;
constexpr std::uint64_t kLastPage = std::numeric_limits<std::uint64_t>::max() / kSeqsPerPage;

void append_field(std::string& out, std::string_view field) {
  // Validated fields are at most 4096 bytes; a decoded one is bounded by the
  // stored value it came from, far below 4 GiB.
  append_u32be(out, static_cast<std::uint32_t>(field.size()));
  out.append(field);
}

std::string page_prefix(std::uint64_t page) {
  return audit_key(page * kSeqsPerPage).substr(0, kPagePrefixBytes);
}

bool printable_ascii(std::string_view text, std::size_t max_bytes) {
  return !text.empty() && text.size() <= max_bytes &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool valid_action(std::string_view action) {
  return !action.empty() && action.size() <= kMaxAuditActionBytes &&
         std::all_of(action.begin(), action.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
         });
}

// The smallest key of kAudit that sorts after every key starting with
// `prefix`, if any. A key K after them differs from `prefix` first at some
// position i with K[i] > prefix[i]; trying the longest common prefixes first
// and the next byte values in order finds the smallest such K. At most
// prefix.size() x 255 one-key scans, and only where the walk of pages ends.
result<std::optional<std::string>> first_key_after(const Store& store, std::string_view prefix) {
  for (std::size_t length = prefix.size(); length-- > 0;) {
    for (unsigned next = static_cast<unsigned char>(prefix[length]) + 1; next <= 0xff; ++next) {
      std::string probe(prefix.substr(0, length));
      probe.push_back(static_cast<char>(next));
      auto rows = store.scan(Family::kAudit, probe, 1);
      if (!rows) return rows.error();
      if (!rows->empty()) return std::optional<std::string>(std::move(rows->front().first));
    }
  }
  return std::optional<std::string>();
}

std::string checkpoint_message(const AuditCheckpoint& checkpoint) {
  std::string message(kCheckpointDomain);
  append_u64be(message, checkpoint.seq);
  append_bytes(message, checkpoint.hash);
  append_u64be(message, static_cast<std::uint64_t>(checkpoint.at));
  return message;
}

}  // namespace

std::string audit_key(std::uint64_t seq) {
  std::string key;
  append_u64be(key, seq);
  return key;
}

result<void> validate(const AuditRecord& record) {
  if (record.at < 0 || !printable_ascii(record.actor, kMaxAuditActorBytes) ||
      !valid_action(record.action) || !printable_ascii(record.object, kMaxAuditObjectBytes) ||
      record.detail.size() > kMaxAuditDetailBytes) {
    return errc::invalid_argument;
  }
  boost::system::error_code ec;
  const json::value detail = json::parse(record.detail, ec);
  if (ec || !detail.is_object()) return errc::invalid_argument;
  return {};
}

Bytes32 audit_hash(std::uint64_t seq, const AuditRecord& record, const Bytes32& prev_hash) {
  std::string encoded(kEntryDomain);
  append_u64be(encoded, seq);
  append_u64be(encoded, static_cast<std::uint64_t>(record.at));  // two's complement
  append_field(encoded, record.actor);
  append_field(encoded, record.action);
  append_field(encoded, record.object);
  append_field(encoded, record.detail);
  append_bytes(encoded, prev_hash);
  return crypto::blake2b<32>({crypto::as_bytes(encoded)});
}

std::string encode(const AuditEntry& entry) {
  const json::object object{{"v", kFormatVersion},           {"seq", entry.seq},
                            {"at", entry.record.at},         {"actor", entry.record.actor},
                            {"action", entry.record.action}, {"object", entry.record.object},
                            {"detail", entry.record.detail}, {"prev_hash", hex(entry.prev_hash)},
                            {"hash", hex(entry.hash)}};
  return json::serialize(object);
}

std::string encode(const AuditHead& head) {
  const json::object object{{"v", kFormatVersion}, {"seq", head.seq}, {"hash", hex(head.hash)}};
  return json::serialize(object);
}

result<AuditEntry> decode_audit_entry(std::string_view bytes) {
  return decode_with<AuditEntry>(bytes, [](const json::object& object) {
    AuditEntry entry;
    entry.seq = integer_field<std::uint64_t>(object, "seq");
    entry.record.at = integer_field<std::int64_t>(object, "at");
    entry.record.actor = string_field(object, "actor");
    entry.record.action = string_field(object, "action");
    entry.record.object = string_field(object, "object");
    entry.record.detail = string_field(object, "detail");
    entry.prev_hash = bytes_field<32>(object, "prev_hash");
    entry.hash = bytes_field<32>(object, "hash");
    return entry;
  });
}

result<AuditHead> decode_audit_head(std::string_view bytes) {
  return decode_with<AuditHead>(bytes, [](const json::object& object) {
    return AuditHead{.seq = integer_field<std::uint64_t>(object, "seq"),
                     .hash = bytes_field<32>(object, "hash")};
  });
}

result<AuditHead> load_audit_head(const Store& store) {
  auto stored = store.get(Family::kMeta, kAuditHeadKey);
  if (!stored) {
    if (stored.error() == errc::not_found) return AuditHead{};
    return stored.error();
  }
  return decode_audit_head(*stored);
}

result<std::vector<Mutation>> chain_audit_records(AuditHead& head,
                                                  std::span<const AuditRecord> records) {
  for (const AuditRecord& record : records) {
    if (auto valid = validate(record); !valid) return valid.error();
  }
  if (records.size() > std::numeric_limits<std::uint64_t>::max() - head.seq) {
    return errc::invalid_argument;
  }
  std::vector<Mutation> mutations;
  mutations.reserve(records.size() + 1);
  AuditHead next = head;
  for (const AuditRecord& record : records) {
    AuditEntry entry{.seq = next.seq + 1, .record = record, .prev_hash = next.hash, .hash = {}};
    entry.hash = audit_hash(entry.seq, entry.record, entry.prev_hash);
    mutations.push_back({Family::kAudit, audit_key(entry.seq), encode(entry)});
    next = {entry.seq, entry.hash};
  }
  if (!records.empty()) {
    mutations.push_back({Family::kMeta, std::string(kAuditHeadKey), encode(next)});
  }
  head = next;
  return mutations;
}

result<AuditHead> append_audit(Store& store, std::span<const AuditRecord> records) {
  auto head = load_audit_head(store);
  if (!head) return head.error();
  AuditHead next = *head;
  auto mutations = chain_audit_records(next, records);
  if (!mutations) return mutations.error();
  if (auto written = store.write(*mutations, Durability::kSynced); !written) {
    return written.error();
  }
  return next;
}

result<std::vector<AuditEntry>> read_audit(const Store& store, std::uint64_t from_seq,
                                           std::size_t limit) {
  std::vector<AuditEntry> entries;
  if (limit == 0) return entries;
  auto head = load_audit_head(store);
  if (!head) return head.error();
  const std::uint64_t from = std::max<std::uint64_t>(from_seq, 1);
  if (from > head->seq) return entries;
  const std::uint64_t last_page = head->seq / kSeqsPerPage;
  std::uint64_t page = from / kSeqsPerPage;
  while (page <= last_page) {
    auto rows = store.scan(Family::kAudit, page_prefix(page), kSeqsPerPage + 1);
    if (!rows) return rows.error();
    if (rows->empty()) {
      // Entries are missing (tampering, or a log damaged some other way):
      // skip to the next stored one rather than probing page by page.
      auto next = first_key_after(store, page_prefix(page));
      if (!next) return next.error();
      if (!*next) break;
      if ((*next)->size() != 8) return errc::storage_corruption;
      page = read_u64be(**next) / kSeqsPerPage;
      continue;
    }
    for (const auto& [key, value] : *rows) {
      if (key.size() != 8) return errc::storage_corruption;
      const std::uint64_t seq = read_u64be(key);
      if (seq < from) continue;
      if (seq > head->seq) return entries;
      auto entry = decode_audit_entry(value);
      if (!entry) return entry.error();
      if (entry->seq != seq) return errc::storage_corruption;
      entries.push_back(std::move(*entry));
      if (entries.size() == limit) return entries;
    }
    if (page == kLastPage) break;
    ++page;
  }
  return entries;
}

result<AuditVerification> verify_audit(const Store& store) {
  AuditVerification verification;
  const auto broken = [&verification](std::uint64_t seq, std::string problem) {
    verification.intact = false;
    verification.first_bad_seq = seq;
    verification.problem = std::move(problem);
    return verification;
  };
  const auto text = [](std::uint64_t number) { return std::to_string(number); };

  // Walk entries 1, 2, 3, ... page by page while the pages are complete; the
  // walk ends in the first page that stops short of its last seq.
  std::uint64_t page = 0;
  for (;;) {
    auto rows = store.scan(Family::kAudit, page_prefix(page), kSeqsPerPage + 1);
    if (!rows) return rows.error();
    for (const auto& [key, value] : *rows) {
      const std::uint64_t expected = verification.head.seq + 1;
      if (key.size() != 8) {
        return broken(expected, "a key of " + text(key.size()) +
                                    " bytes, not an audit seq, in the audit family");
      }
      const std::uint64_t seq = read_u64be(key);
      if (seq != expected) {
        return broken(expected, seq == 0 ? "an entry stored under seq 0"
                                         : "gap in seq: entry " + text(expected) +
                                               " is missing (the next stored entry is " +
                                               text(seq) + ")");
      }
      auto entry = decode_audit_entry(value);
      if (!entry) return broken(seq, "undecodable entry");
      if (entry->seq != seq) {
        return broken(
            seq, "entry stored under the wrong key (its value says seq " + text(entry->seq) + ")");
      }
      if (entry->prev_hash != verification.head.hash) {
        return broken(seq,
                      "prev link mismatch: prev_hash is not the hash of entry " + text(seq - 1));
      }
      const Bytes32 hash = audit_hash(seq, entry->record, verification.head.hash);
      if (hash != entry->hash) {
        return broken(seq, "hash mismatch: the stored hash is not the hash of the entry");
      }
      verification.head = {seq, hash};
      ++verification.entries;
    }
    const bool complete = verification.head.seq == page * kSeqsPerPage + (kSeqsPerPage - 1);
    if (!complete || page == kLastPage) break;
    ++page;
  }

  // Anything stored after the walk's last page is an entry beyond a gap (or
  // a stray key): the walk stopped at the gap.
  auto beyond = first_key_after(store, page_prefix(page));
  if (!beyond) return beyond.error();
  const std::uint64_t last = verification.head.seq;
  if (*beyond) {
    if ((*beyond)->size() != 8) {
      return broken(last + 1, "a key of " + text((*beyond)->size()) +
                                  " bytes, not an audit seq, in the audit family");
    }
    return broken(last + 1, "gap in seq: entry " + text(last + 1) +
                                " is missing (the next stored entry is " +
                                text(read_u64be(**beyond)) + ")");
  }

  auto stored = store.get(Family::kMeta, kAuditHeadKey);
  if (!stored) {
    if (stored.error() != errc::not_found) return stored.error();
    if (last == 0) return verification;
    return broken(1, "no head record, but entries 1.." + text(last) + " exist");
  }
  auto head = decode_audit_head(*stored);
  if (!head) return broken(last + 1, "undecodable head record");
  if (head->seq > last) {
    return broken(last + 1, "head record says seq " + text(head->seq) + " but the last entry is " +
                                text(last) + ": entries missing at the end");
  }
  if (head->seq < last) {
    return broken(head->seq + 1, "entries after the head record's seq " + text(head->seq) +
                                     " (the last entry is " + text(last) + ")");
  }
  if (head->hash != verification.head.hash) {
    return broken(last, "head record hash disagrees with the hash of entry " + text(last));
  }
  return verification;
}

result<AuditCheckpoint> make_audit_checkpoint(const AuditHead& head, UnixSeconds at,
                                              std::span<const std::byte> signing_secret_key) {
  // Checks that the secret key's stored public half is really its own, so a
  // checkpoint never names a signer that did not sign it.
  auto pair = crypto::signing_key_pair_from_secret(signing_secret_key);
  if (!pair) return errc::invalid_argument;
  AuditCheckpoint checkpoint{.seq = head.seq,
                             .hash = head.hash,
                             .at = at,
                             .signature = {},
                             .signer_public_key = pair->public_key.bytes};
  const std::string message = checkpoint_message(checkpoint);
  checkpoint.signature = crypto::sign_detached(crypto::as_bytes(message), *pair);
  return checkpoint;
}

result<void> verify_audit_checkpoint_signature(const AuditCheckpoint& checkpoint,
                                               const Bytes32& trusted_public_key) {
  if (checkpoint.signer_public_key != trusted_public_key) return errc::authentication_failed;
  const std::string message = checkpoint_message(checkpoint);
  if (!crypto::verify_detached(checkpoint.signature, crypto::as_bytes(message),
                               crypto::SigningPublicKey{trusted_public_key})) {
    return errc::authentication_failed;
  }
  return {};
}

result<void> check_audit_checkpoint(const Store& store, const AuditCheckpoint& checkpoint,
                                    const Bytes32& trusted_public_key) {
  if (auto signed_ok = verify_audit_checkpoint_signature(checkpoint, trusted_public_key);
      !signed_ok) {
    return signed_ok.error();
  }
  if (checkpoint.seq == 0) {
    if (checkpoint.hash != Bytes32{}) return errc::conflict;
    return {};
  }
  auto stored = store.get(Family::kAudit, audit_key(checkpoint.seq));
  if (!stored) return stored.error();
  auto entry = decode_audit_entry(*stored);
  if (!entry) return entry.error();
  if (entry->seq != checkpoint.seq) return errc::storage_corruption;
  // The recomputed hash too: a rewritten entry that kept its old stored hash
  // must not pass.
  if (entry->hash != checkpoint.hash ||
      audit_hash(entry->seq, entry->record, entry->prev_hash) != checkpoint.hash) {
    return errc::conflict;
  }
  return {};
}

std::string encode(const AuditCheckpoint& checkpoint) {
  const json::object object{{"v", kFormatVersion},
                            {"seq", checkpoint.seq},
                            {"hash", hex(checkpoint.hash)},
                            {"at", checkpoint.at},
                            {"signature", hex(checkpoint.signature)},
                            {"signer_public_key", hex(checkpoint.signer_public_key)}};
  return json::serialize(object);
}

result<AuditCheckpoint> decode_audit_checkpoint(std::string_view bytes) {
  return decode_with<AuditCheckpoint>(bytes, [](const json::object& object) {
    return AuditCheckpoint{.seq = integer_field<std::uint64_t>(object, "seq"),
                           .hash = bytes_field<32>(object, "hash"),
                           .at = integer_field<std::int64_t>(object, "at"),
                           .signature = bytes_field<64>(object, "signature"),
                           .signer_public_key = bytes_field<32>(object, "signer_public_key")};
  });
}

}  // namespace clueline::storage
