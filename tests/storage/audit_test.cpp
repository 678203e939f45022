// The audit log: encoding, the documented hash example, verification against
// every kind of tampering, signed checkpoints and the record limits.
#include "clueline/storage/audit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/algorithm/hex.hpp>
#include <iterator>
#include <string>
#include <vector>

#include "clueline/crypto/keys.hpp"
#include "temp_directory.hpp"

namespace clueline::storage {
namespace {

using testing::TempDirectory;

std::string hex(const Bytes32& bytes) {
  std::string out;
  const auto* begin = reinterpret_cast<const char*>(bytes.data());
  boost::algorithm::hex_lower(begin, begin + bytes.size(), std::back_inserter(out));
  return out;
}

AuditRecord sample(int i) {
  return {.at = 1'700'000'000 + i,
          .actor = "operator:cli",
          .action = "unit.add",
          .object = "unit:" + std::to_string(i),
          .detail = R"({"n":)" + std::to_string(i) + "}"};
}

std::vector<AuditRecord> samples(int first, int count) {
  std::vector<AuditRecord> records;
  for (int i = first; i < first + count; ++i) records.push_back(sample(i));
  return records;
}

// The worked example of docs/audit.md.
const AuditRecord kExample{.at = 1700000000,
                           .actor = "operator:cli",
                           .action = "unit.add",
                           .object = "unit:12",
                           .detail = R"({"name":"Township A"})"};
constexpr std::string_view kExampleHash =
    "1c859b7c117eb8aa58542eef1147f313480df5067dc2b7ad0f14e78817fa1e54";
const AuditRecord kExample2{.at = 1700000060,
                            .actor = "system:escalation",
                            .action = "clue.escalate",
                            .object = "clue:00112233445566778899aabbccddeeff",
                            .detail = R"({"from_unit":12,"to_unit":3})"};
constexpr std::string_view kExample2Hash =
    "3c54dece26baec4ab5b70e162641b22624f156dd677aeeb9451dffc6e633dfec";

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::open({.directory = dir_.path() / "db"});
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
  }

  AuditHead append(int first, int count) {
    const auto records = samples(first, count);
    auto head = append_audit(*store_, records);
    EXPECT_TRUE(head) << head.error().message();
    return head ? *head : AuditHead{};
  }

  AuditEntry stored_entry(std::uint64_t seq) {
    return decode_audit_entry(store_->get(Family::kAudit, audit_key(seq)).value()).value();
  }

  void put_raw(Family family, std::string key, std::optional<std::string> value) {
    const std::vector<Mutation> batch{{family, std::move(key), std::move(value)}};
    ASSERT_TRUE(store_->write(batch));
  }

  void put_entry(const AuditEntry& entry) {
    put_raw(Family::kAudit, audit_key(entry.seq), encode(entry));
  }

  // What someone with write access to the database can do undetected by the
  // chain alone: change entry `seq`, recompute every later hash and the head.
  void rewrite_history_from(std::uint64_t seq) {
    const AuditHead head = load_audit_head(*store_).value();
    Bytes32 prev = seq == 1 ? Bytes32{} : stored_entry(seq - 1).hash;
    for (std::uint64_t s = seq; s <= head.seq; ++s) {
      AuditEntry entry = stored_entry(s);
      if (s == seq) entry.record.actor = "operator:someone-else";
      entry.prev_hash = prev;
      entry.hash = audit_hash(s, entry.record, prev);
      put_entry(entry);
      prev = entry.hash;
    }
    put_raw(Family::kMeta, std::string(kAuditHeadKey), encode(AuditHead{head.seq, prev}));
  }

  AuditVerification verify() {
    auto verified = verify_audit(*store_);
    EXPECT_TRUE(verified) << verified.error().message();
    return verified ? *verified : AuditVerification{};
  }

  void expect_broken(std::uint64_t first_bad_seq, std::string_view mentions) {
    const AuditVerification v = verify();
    EXPECT_FALSE(v.intact);
    EXPECT_EQ(v.first_bad_seq, first_bad_seq) << v.problem;
    EXPECT_NE(v.problem.find(mentions), std::string::npos) << v.problem;
  }

  TempDirectory dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(AuditTest, KeysAreBigEndianSoByteOrderIsSeqOrder) {
  EXPECT_EQ(audit_key(1), std::string("\0\0\0\0\0\0\0\x01", 8));
  EXPECT_EQ(audit_key(0x0102030405060708), "\x01\x02\x03\x04\x05\x06\x07\x08");
  EXPECT_LT(audit_key(255), audit_key(256));
  EXPECT_LT(audit_key(65535), audit_key(65536));
}

TEST_F(AuditTest, EmptyLogVerifiesWithZeroHead) {
  EXPECT_EQ(load_audit_head(*store_).value(), AuditHead{});
  const AuditVerification v = verify();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, 0u);
  EXPECT_EQ(v.head, AuditHead{});
  EXPECT_TRUE(read_audit(*store_, 1, 10).value().empty());
}

TEST_F(AuditTest, AppendedEntriesReadBackLinkedAndVerify) {
  const AuditHead after_first = append(1, 2);
  EXPECT_EQ(after_first.seq, 2u);
  const AuditHead head = append(3, 3);
  EXPECT_EQ(head.seq, 5u);
  EXPECT_EQ(load_audit_head(*store_).value(), head);

  const auto entries = read_audit(*store_, 1, 100).value();
  ASSERT_EQ(entries.size(), 5u);
  Bytes32 prev{};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].seq, i + 1);
    EXPECT_EQ(entries[i].record, sample(static_cast<int>(i) + 1));
    EXPECT_EQ(entries[i].prev_hash, prev);
    EXPECT_EQ(entries[i].hash, audit_hash(i + 1, entries[i].record, prev));
    prev = entries[i].hash;
  }
  EXPECT_EQ(entries[1].hash, after_first.hash);
  EXPECT_EQ(head.hash, prev);
  EXPECT_EQ(decode_audit_entry(encode(entries[3])).value(), entries[3]);

  const AuditVerification v = verify();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, 5u);
  EXPECT_EQ(v.head, head);
}

TEST_F(AuditTest, WorkedExampleOfTheDocumentation) {
  const Bytes32 first = audit_hash(1, kExample, Bytes32{});
  EXPECT_EQ(hex(first), kExampleHash);
  EXPECT_EQ(hex(audit_hash(2, kExample2, first)), kExample2Hash);
  // And the same through the store.
  const std::vector<AuditRecord> records{kExample, kExample2};
  const AuditHead head = append_audit(*store_, records).value();
  EXPECT_EQ(hex(stored_entry(1).hash), kExampleHash);
  EXPECT_EQ(hex(head.hash), kExample2Hash);
  // Every field is in the hash.
  AuditRecord changed = kExample;
  changed.detail = R"({"name":"Township B"})";
  EXPECT_NE(hex(audit_hash(1, changed, Bytes32{})), kExampleHash);
  EXPECT_NE(hex(audit_hash(2, kExample, Bytes32{})), kExampleHash);
  changed = kExample;
  ++changed.at;
  EXPECT_NE(hex(audit_hash(1, changed, Bytes32{})), kExampleHash);
}

TEST_F(AuditTest, LengthPrefixesKeepFieldBoundariesApart) {
  AuditRecord a = kExample;
  AuditRecord b = kExample;
  a.actor = "operator:cl";
  a.action = "iunit.add";
  b.actor = "operator:cli";
  b.action = "unit.add";
  EXPECT_NE(audit_hash(1, a, Bytes32{}), audit_hash(1, b, Bytes32{}));
}

TEST_F(AuditTest, LongChainAcrossPagesVerifiesAndLists) {
  for (int batch = 0; batch < 3; ++batch) append(batch * 200 + 1, 200);
  const AuditVerification v = verify();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, 600u);
  EXPECT_EQ(v.head, load_audit_head(*store_).value());

  const auto middle = read_audit(*store_, 250, 20).value();
  ASSERT_EQ(middle.size(), 20u);
  EXPECT_EQ(middle.front().seq, 250u);
  EXPECT_EQ(middle.back().seq, 269u);
  const auto tail = read_audit(*store_, 590, 100).value();
  ASSERT_EQ(tail.size(), 11u);
  EXPECT_EQ(tail.back().seq, 600u);
  EXPECT_TRUE(read_audit(*store_, 601, 100).value().empty());
  EXPECT_EQ(read_audit(*store_, 0, 1).value().at(0).seq, 1u);
  EXPECT_TRUE(read_audit(*store_, 1, 0).value().empty());
}

TEST_F(AuditTest, ChainProducesOnePutPerEntryThenTheHead) {
  AuditHead head;
  const auto records = samples(1, 3);
  const auto mutations = chain_audit_records(head, records).value();
  ASSERT_EQ(mutations.size(), 4u);
  for (std::uint64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(mutations[i].family, Family::kAudit);
    EXPECT_EQ(mutations[i].key, audit_key(i + 1));
  }
  EXPECT_EQ(mutations[3].family, Family::kMeta);
  EXPECT_EQ(mutations[3].key, kAuditHeadKey);
  EXPECT_EQ(decode_audit_head(mutations[3].value.value()).value(), head);
  EXPECT_EQ(head.seq, 3u);

  const AuditHead before = head;
  EXPECT_TRUE(chain_audit_records(head, {}).value().empty());
  EXPECT_EQ(head, before);
}

// ---- tampering ----------------------------------------------------------------

TEST_F(AuditTest, ChangedFieldWithStaleHashIsAHashMismatch) {
  append(1, 5);
  AuditEntry entry = stored_entry(3);
  entry.record.actor = "operator:someone-else";
  put_entry(entry);
  expect_broken(3, "hash mismatch");
  EXPECT_EQ(verify().entries, 2u);
  EXPECT_EQ(verify().head.seq, 2u);
}

TEST_F(AuditTest, ChangedFieldWithRecomputedHashBreaksTheNextLink) {
  append(1, 5);
  AuditEntry entry = stored_entry(3);
  entry.record.detail = R"({"n":999})";
  entry.hash = audit_hash(3, entry.record, entry.prev_hash);
  put_entry(entry);
  expect_broken(4, "prev link mismatch");
}

TEST_F(AuditTest, DeletedMiddleEntryIsAGap) {
  append(1, 5);
  put_raw(Family::kAudit, audit_key(3), std::nullopt);
  expect_broken(3, "gap in seq");
}

TEST_F(AuditTest, DeletedWholePageIsAGap) {
  append(1, 600);
  std::vector<Mutation> deletes;
  for (std::uint64_t seq = 256; seq < 512; ++seq) {
    deletes.push_back({Family::kAudit, audit_key(seq), std::nullopt});
  }
  ASSERT_TRUE(store_->write(deletes));
  expect_broken(256, "next stored entry is 512");
  // Listing skips the hole rather than stopping at it.
  const auto listed = read_audit(*store_, 250, 10).value();
  ASSERT_EQ(listed.size(), 10u);
  EXPECT_EQ(listed[5].seq, 255u);
  EXPECT_EQ(listed[6].seq, 512u);
}

TEST_F(AuditTest, DeletedFirstEntryIsAGap) {
  append(1, 3);
  put_raw(Family::kAudit, audit_key(1), std::nullopt);
  expect_broken(1, "gap in seq");
}

TEST_F(AuditTest, DeletedLastEntryDisagreesWithTheHead) {
  append(1, 5);
  put_raw(Family::kAudit, audit_key(5), std::nullopt);
  expect_broken(5, "head record says seq 5");
}

TEST_F(AuditTest, SwappedEntriesAreStoredUnderTheWrongKey) {
  append(1, 5);
  const std::string second = store_->get(Family::kAudit, audit_key(2)).value();
  const std::string third = store_->get(Family::kAudit, audit_key(3)).value();
  put_raw(Family::kAudit, audit_key(2), third);
  put_raw(Family::kAudit, audit_key(3), second);
  expect_broken(2, "wrong key");
}

TEST_F(AuditTest, SwappedEntriesWithRenumberedSeqsBreakTheLinks) {
  append(1, 5);
  AuditEntry second = stored_entry(2);
  AuditEntry third = stored_entry(3);
  std::swap(second.seq, third.seq);
  put_entry(second);
  put_entry(third);
  expect_broken(2, "prev link mismatch");
}

TEST_F(AuditTest, CorruptBytesAreAnUndecodableEntry) {
  append(1, 5);
  std::string value = store_->get(Family::kAudit, audit_key(4)).value();
  value[value.size() / 2] ^= 0x5a;
  put_raw(Family::kAudit, audit_key(4), value);
  const AuditVerification v = verify();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.first_bad_seq, 4u) << v.problem;
  put_raw(Family::kAudit, audit_key(4), std::string("\x00garbage", 8));
  expect_broken(4, "undecodable entry");
  EXPECT_EQ(read_audit(*store_, 1, 10).error(), errc::storage_corruption);
  EXPECT_EQ(read_audit(*store_, 1, 3).value().size(), 3u) << "entries before it still list";
}

TEST_F(AuditTest, ExtraEntryBeyondTheHeadIsReported) {
  const AuditHead head = append(1, 5);
  AuditEntry extra{.seq = 6, .record = sample(6), .prev_hash = head.hash, .hash = {}};
  extra.hash = audit_hash(6, extra.record, extra.prev_hash);
  put_entry(extra);
  expect_broken(6, "after the head record");
  EXPECT_EQ(read_audit(*store_, 1, 10).value().size(), 5u) << "the head bounds the listing";
}

TEST_F(AuditTest, StrayEntryFarBeyondAGapIsFound) {
  append(1, 5);
  AuditEntry stray{.seq = 100000, .record = sample(7), .prev_hash = {}, .hash = {}};
  put_entry(stray);
  expect_broken(6, "next stored entry is 100000");
}

TEST_F(AuditTest, HeadRecordProblems) {
  const AuditHead head = append(1, 5);
  AuditHead wrong = head;
  wrong.hash[0] ^= std::byte{1};
  put_raw(Family::kMeta, std::string(kAuditHeadKey), encode(wrong));
  expect_broken(5, "head record hash");

  put_raw(Family::kMeta, std::string(kAuditHeadKey), "{\"v\":1}");
  expect_broken(6, "undecodable head record");
  EXPECT_EQ(load_audit_head(*store_).error(), errc::storage_corruption);
  EXPECT_EQ(append_audit(*store_, samples(6, 1)).error(), errc::storage_corruption);

  put_raw(Family::kMeta, std::string(kAuditHeadKey), std::nullopt);
  expect_broken(1, "no head record");

  put_raw(Family::kMeta, std::string(kAuditHeadKey), encode(head));
  EXPECT_TRUE(verify().intact);
}

TEST_F(AuditTest, ConsistentRewriteFoolsTheChainButNotACheckpoint) {
  const auto key = crypto::generate_signing_key_pair();
  const AuditHead head = append(1, 5);
  const AuditCheckpoint checkpoint =
      make_audit_checkpoint(head, 1'800'000'000, key.secret_key.bytes()).value();
  EXPECT_TRUE(check_audit_checkpoint(*store_, checkpoint, key.public_key.bytes));

  rewrite_history_from(3);
  EXPECT_TRUE(verify().intact) << "a consistent rewrite is invisible to the chain";
  EXPECT_NE(load_audit_head(*store_).value(), head);
  EXPECT_EQ(check_audit_checkpoint(*store_, checkpoint, key.public_key.bytes).error(),
            errc::conflict);
}

TEST_F(AuditTest, ConsistentTruncationIsCaughtByACheckpoint) {
  const auto key = crypto::generate_signing_key_pair();
  const AuditHead head = append(1, 5);
  const AuditCheckpoint checkpoint =
      make_audit_checkpoint(head, 1'800'000'000, key.secret_key.bytes()).value();
  put_raw(Family::kAudit, audit_key(5), std::nullopt);
  put_raw(Family::kMeta, std::string(kAuditHeadKey), encode(AuditHead{4, stored_entry(4).hash}));
  EXPECT_TRUE(verify().intact);
  EXPECT_EQ(check_audit_checkpoint(*store_, checkpoint, key.public_key.bytes).error(),
            errc::not_found);
}

TEST_F(AuditTest, EntryRewrittenButKeepingItsStoredHashFailsTheCheckpoint) {
  const auto key = crypto::generate_signing_key_pair();
  const AuditHead head = append(1, 3);
  const AuditCheckpoint checkpoint = make_audit_checkpoint(head, 1, key.secret_key.bytes()).value();
  AuditEntry entry = stored_entry(3);
  entry.record.object = "unit:999";  // hash field left as signed
  put_entry(entry);
  EXPECT_EQ(check_audit_checkpoint(*store_, checkpoint, key.public_key.bytes).error(),
            errc::conflict);
}

// ---- checkpoints ------------------------------------------------------------

TEST_F(AuditTest, CheckpointSurvivesLaterAppendsAndRoundTrips) {
  const auto key = crypto::generate_signing_key_pair();
  const AuditHead head = append(1, 3);
  const AuditCheckpoint checkpoint =
      make_audit_checkpoint(head, 1'800'000'000, key.secret_key.bytes()).value();
  EXPECT_EQ(checkpoint.seq, 3u);
  EXPECT_EQ(checkpoint.hash, head.hash);
  EXPECT_EQ(checkpoint.at, 1'800'000'000);
  EXPECT_EQ(checkpoint.signer_public_key, key.public_key.bytes);
  EXPECT_EQ(decode_audit_checkpoint(encode(checkpoint)).value(), checkpoint);

  append(4, 10);
  EXPECT_TRUE(check_audit_checkpoint(*store_, checkpoint, key.public_key.bytes));
  EXPECT_TRUE(verify_audit_checkpoint_signature(checkpoint, key.public_key.bytes));
}

TEST_F(AuditTest, CheckpointRefusedForAnotherKeyOrAnyChangedField) {
  const auto key = crypto::generate_signing_key_pair();
  const auto other = crypto::generate_signing_key_pair();
  const AuditHead head = append(1, 3);
  const AuditCheckpoint checkpoint =
      make_audit_checkpoint(head, 1'800'000'000, key.secret_key.bytes()).value();

  EXPECT_EQ(check_audit_checkpoint(*store_, checkpoint, other.public_key.bytes).error(),
            errc::authentication_failed);
  AuditCheckpoint claimed = checkpoint;  // names the trusted key, signed by another
  claimed.signer_public_key = other.public_key.bytes;
  EXPECT_EQ(check_audit_checkpoint(*store_, claimed, other.public_key.bytes).error(),
            errc::authentication_failed);

  AuditCheckpoint changed = checkpoint;
  changed.seq = 2;
  changed.hash = stored_entry(2).hash;  // a true statement, but not the signed one
  EXPECT_EQ(check_audit_checkpoint(*store_, changed, key.public_key.bytes).error(),
            errc::authentication_failed);
  changed = checkpoint;
  ++changed.at;
  EXPECT_EQ(verify_audit_checkpoint_signature(changed, key.public_key.bytes).error(),
            errc::authentication_failed);
  changed = checkpoint;
  changed.signature[10] ^= std::byte{1};
  EXPECT_EQ(verify_audit_checkpoint_signature(changed, key.public_key.bytes).error(),
            errc::authentication_failed);
}

TEST_F(AuditTest, CheckpointNeedsAConsistentSigningKey) {
  const AuditHead head;
  const auto key = crypto::generate_signing_key_pair();
  std::vector<std::byte> mixed(key.secret_key.bytes().begin(), key.secret_key.bytes().end());
  mixed[40] ^= std::byte{1};  // public half no longer matches the seed
  EXPECT_EQ(make_audit_checkpoint(head, 0, mixed).error(), errc::invalid_argument);
  EXPECT_EQ(make_audit_checkpoint(head, 0, std::span(mixed).first(32)).error(),
            errc::invalid_argument);
}

TEST_F(AuditTest, CheckpointOfTheEmptyLog) {
  const auto key = crypto::generate_signing_key_pair();
  const AuditCheckpoint empty = make_audit_checkpoint({}, 5, key.secret_key.bytes()).value();
  EXPECT_TRUE(check_audit_checkpoint(*store_, empty, key.public_key.bytes));
  append(1, 2);
  EXPECT_TRUE(check_audit_checkpoint(*store_, empty, key.public_key.bytes));
}

TEST_F(AuditTest, MalformedCheckpointFilesAreRefused) {
  for (const std::string_view bad :
       {"", "{}", "[]", "not json", R"({"v":2,"seq":1})",
        R"({"v":1,"seq":1,"hash":"00","at":0,"signature":"00","signer_public_key":"00"})"}) {
    EXPECT_EQ(decode_audit_checkpoint(bad).error(), errc::storage_corruption) << bad;
  }
}

// ---- validation and decoding ---------------------------------------------------

TEST_F(AuditTest, ValidationLimits) {
  const auto refused = [](AuditRecord record) {
    const auto valid = validate(record);
    return !valid && valid.error() == errc::invalid_argument;
  };
  const auto with = [](auto change) {
    AuditRecord record = kExample;
    change(record);
    return record;
  };
  EXPECT_TRUE(validate(kExample));
  EXPECT_TRUE(validate(with([](AuditRecord& r) { r.detail = "{}"; })));
  EXPECT_TRUE(validate(with([](AuditRecord& r) { r.actor = std::string(128, 'a'); })));
  EXPECT_TRUE(validate(with([](AuditRecord& r) { r.object = std::string(128, '~'); })));
  EXPECT_TRUE(validate(with([](AuditRecord& r) { r.action = std::string(64, '.'); })));
  EXPECT_TRUE(validate(
      with([](AuditRecord& r) { r.detail = R"({"x":")" + std::string(4096 - 8, 'y') + "\"}"; })));

  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.at = -1; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.actor = ""; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.actor = std::string(129, 'a'); })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.actor = "operator\ncli"; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.actor = "operator\x7f"; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.actor = "op\xc3\xa9rateur"; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.action = ""; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.action = std::string(65, 'a'); })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.action = "Unit.add"; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.action = "unit-add"; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.object = ""; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.object = std::string(129, 'o'); })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.detail = ""; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.detail = "[]"; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.detail = "\"text\""; })));
  EXPECT_TRUE(refused(with([](AuditRecord& r) { r.detail = "{\"a\":"; })));
  EXPECT_TRUE(refused(
      with([](AuditRecord& r) { r.detail = R"({"x":")" + std::string(4096 - 7, 'y') + "\"}"; })));
}

TEST_F(AuditTest, OneInvalidRecordRefusesTheWholeAppend) {
  append(1, 2);
  const AuditHead before = load_audit_head(*store_).value();
  std::vector<AuditRecord> records = samples(3, 3);
  records[2].action = "BAD";
  AuditHead head = before;
  EXPECT_EQ(chain_audit_records(head, records).error(), errc::invalid_argument);
  EXPECT_EQ(head, before) << "the head is untouched";
  EXPECT_EQ(append_audit(*store_, records).error(), errc::invalid_argument);
  EXPECT_EQ(load_audit_head(*store_).value(), before);
  EXPECT_EQ(store_->get(Family::kAudit, audit_key(3)).error(), errc::not_found);
  EXPECT_TRUE(verify().intact);
}

TEST_F(AuditTest, DecodingRefusesMalformedValuesWithoutThrowing) {
  AuditEntry entry{.seq = 1, .record = kExample, .prev_hash = {}, .hash = {}};
  const std::string good = encode(entry);
  ASSERT_TRUE(decode_audit_entry(good));
  const auto replaced = [&good](std::string_view from, std::string_view to) {
    std::string changed = good;
    const auto at = changed.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    changed.replace(at, from.size(), to);
    return changed;
  };
  for (const std::string& bad :
       {std::string(), std::string("{}"), std::string("[1]"), std::string("\xff\xfe"),
        replaced("\"v\":1", "\"v\":2"), replaced("\"seq\":1", "\"seq\":-1"),
        replaced("\"seq\":1", "\"seq\":\"1\""), replaced("\"actor\"", "\"actress\""),
        replaced("\"at\":1700000000", "\"at\":1.5"), replaced(std::string(64, '0'), "00"),
        replaced(std::string(64, '0'), std::string(64, 'g'))}) {
    EXPECT_EQ(decode_audit_entry(bad).error(), errc::storage_corruption) << bad;
  }
  EXPECT_EQ(decode_audit_head("{\"v\":1,\"seq\":1}").error(), errc::storage_corruption);
}

}  // namespace
}  // namespace clueline::storage
