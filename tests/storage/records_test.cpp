#include "clueline/storage/records.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clueline/crypto/encoding.hpp"
#include "clueline/storage/audit.hpp"
#include "temp_directory.hpp"

namespace clueline::storage {
namespace {

namespace json = boost::json;
using testing::TempDirectory;

template <std::size_t N>
std::array<std::byte, N> filled(std::uint8_t first) {
  std::array<std::byte, N> bytes;
  for (std::size_t i = 0; i < N; ++i) bytes[i] = static_cast<std::byte>(first + i * 7);
  return bytes;
}

Deployment sample_deployment() {
  return {.site_signing_public_key = filled<32>(3), .receipt_salt = filled<16>(200)};
}

Unit sample_unit() {
  Unit unit;
  unit.id = 70000;  // above 16 bits, so a truncating encoder would show
  unit.name = "东山镇 Dongshan township";
  unit.level = "township";
  unit.parent_id = 65537;
  unit.keys = {{.key_id = filled<16>(1), .public_key = filled<32>(2), .current = false},
               {.key_id = filled<16>(9), .public_key = filled<32>(10), .current = true}};
  unit.active = false;
  return unit;
}

Site sample_site() {
  return {.id = 4000000000u,
          .name = "Nanshan clinic",
          .unit_id = 12,
          .kind = "clinic",
          .token_version = 65535};
}

Clue sample_clue() {
  Clue clue;
  clue.id = filled<16>(77);
  clue.site_id = 4000000001u;
  clue.received_at = 1'795'000'000;
  clue.category = "embezzlement";
  clue.accused_level = "village";
  clue.unit_id = 3;
  clue.status = ClueStatus::kInvestigating;
  clue.acknowledge_by = 1'796'000'000;
  clue.handle_by = -5;  // negative times are representable and must survive
  clue.receipt_lookup_hash = filled<32>(11);
  clue.reply_public_key = filled<32>(13);
  clue.recipient_key_ids = {filled<16>(21), filled<16>(23)};
  clue.messages = 4;
  clue.replies = 2;
  clue.attachments = {{.index = 0, .bytes = 70041, .parts = 1, .complete = true},
                      {.index = 7,
                       .bytes = std::numeric_limits<std::uint64_t>::max(),
                       .parts = 4294967295u,
                       .complete = false}};
  clue.events = {{.at = 1'795'000'100, .action = "acknowledge", .unit_id = 3, .detail = ""},
                 {.at = 1'795'000'200, .action = "close", .unit_id = 3, .detail = "duplicate"}};
  clue.outcome = "duplicate";
  clue.duplicate_of = filled<16>(78);
  clue.recused_units = {4, 4000000002u};
  clue.key_entries = {{.key_id = filled<16>(31), .sealed_key = filled<80>(33)}};
  return clue;
}

// ---- round trips ------------------------------------------------------------

TEST(RecordEncoding, DeploymentRoundTrips) {
  const Deployment deployment = sample_deployment();
  const auto decoded = decode_deployment(encode(deployment));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, deployment);
}

TEST(RecordEncoding, UnitRoundTrips) {
  const Unit unit = sample_unit();
  const auto decoded = decode_unit(encode(unit));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, unit);

  Unit root;  // defaults: no keys, root, active
  root.id = 1;
  root.name = "p";
  root.level = "province";
  const auto decoded_root = decode_unit(encode(root));
  ASSERT_TRUE(decoded_root);
  EXPECT_EQ(*decoded_root, root);
}

TEST(RecordEncoding, SiteRoundTrips) {
  const Site site = sample_site();
  const auto decoded = decode_site(encode(site));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, site);
}

TEST(RecordEncoding, AClueWithoutAHistoryDecodesWithAnEmptyOne) {
  // As stored before supervisors could act on clues.
  json::object old = json::parse(encode(sample_clue())).as_object();
  old.erase("events");
  old.erase("outcome");
  old.erase("duplicate_of");
  const auto decoded = decode_clue(json::serialize(old));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_TRUE(decoded->events.empty());
  EXPECT_TRUE(decoded->outcome.empty());
  EXPECT_FALSE(decoded->duplicate_of);
  // A history beyond the bound is damage, not data.
  json::object long_history = json::parse(encode(sample_clue())).as_object();
  json::array events;
  for (std::size_t i = 0; i <= kMaxClueEvents; ++i) {
    events.push_back(
        json::object{{"at", 1}, {"action", "acknowledge"}, {"unit_id", 3}, {"detail", ""}});
  }
  long_history["events"] = std::move(events);
  EXPECT_EQ(decode_clue(json::serialize(long_history)).error(), errc::storage_corruption);
}

TEST(RecordEncoding, ClueRoundTripsInEveryStatus) {
  for (const ClueStatus status : {ClueStatus::kReceived, ClueStatus::kAcknowledged,
                                  ClueStatus::kInvestigating, ClueStatus::kClosed}) {
    Clue clue = sample_clue();
    clue.status = status;
    const auto decoded = decode_clue(encode(clue));
    ASSERT_TRUE(decoded) << status_name(status) << ": " << decoded.error().message();
    EXPECT_EQ(*decoded, clue) << status_name(status);
  }
  Clue empty_lists = sample_clue();
  empty_lists.recipient_key_ids.clear();
  empty_lists.attachments.clear();
  empty_lists.accused_level.clear();
  empty_lists.events.clear();
  empty_lists.outcome.clear();
  empty_lists.duplicate_of.reset();
  const auto decoded = decode_clue(encode(empty_lists));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, empty_lists);
}

TEST(RecordEncoding, NoteRoundTripsBinaryPayloadsAndNegativeTimes) {
  const std::string payload("\x00\x01\xff{\"v\":1}\x00", 11);
  for (const UnixSeconds sent_at : {UnixSeconds{0}, UnixSeconds{1'795'000'000}, UnixSeconds{-1},
                                    std::numeric_limits<UnixSeconds>::max()}) {
    const auto decoded = decode_note(encode(SealedNote{.sent_at = sent_at, .payload = payload}));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->sent_at, sent_at);
    EXPECT_EQ(decoded->payload, payload);
  }
  const auto empty = decode_note(encode(SealedNote{.sent_at = 5, .payload = ""}));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->sent_at, 5);
  EXPECT_EQ(empty->payload, "");
}

TEST(RecordEncoding, StatusNames) {
  EXPECT_EQ(status_name(ClueStatus::kReceived), "received");
  EXPECT_EQ(status_name(ClueStatus::kAcknowledged), "acknowledged");
  EXPECT_EQ(status_name(ClueStatus::kInvestigating), "investigating");
  EXPECT_EQ(status_name(ClueStatus::kClosed), "closed");
  EXPECT_EQ(status_name(static_cast<ClueStatus>(9)), "unknown");
}

TEST(RecordEncoding, UnitReceivesOnlyWhenActiveWithACurrentKey) {
  Unit unit = sample_unit();
  unit.active = true;
  EXPECT_TRUE(unit.receiving());
  unit.active = false;
  EXPECT_FALSE(unit.receiving());
  unit.active = true;
  for (UnitKey& key : unit.keys) key.current = false;
  EXPECT_FALSE(unit.receiving());  // old keys only open old clues
  unit.keys.clear();
  EXPECT_FALSE(unit.receiving());
}

// ---- corrupt values -----------------------------------------------------------

// Each JSON decoder, named, with a valid encoding to mutate.
struct JsonRecord {
  std::string name;
  std::string valid;
  std::function<bool(std::string_view)> decodes;  // true if decode_* accepted the bytes
  std::function<boost::system::error_code(std::string_view)> error;
};

template <typename Decode>
JsonRecord json_record(std::string name, std::string valid, Decode decode) {
  return {std::move(name), std::move(valid),
          [decode](std::string_view bytes) { return decode(bytes).has_value(); },
          [decode](std::string_view bytes) {
            auto decoded = decode(bytes);
            return decoded ? boost::system::error_code{} : decoded.error();
          }};
}

std::vector<JsonRecord> json_records() {
  return {json_record("deployment", encode(sample_deployment()), decode_deployment),
          json_record("unit", encode(sample_unit()), decode_unit),
          json_record("site", encode(sample_site()), decode_site),
          json_record("clue", encode(sample_clue()), decode_clue)};
}

void expect_corrupt(const JsonRecord& record, std::string_view bytes, const std::string& why) {
  EXPECT_EQ(record.error(bytes), errc::storage_corruption) << record.name << ": " << why;
}

// A value of another JSON kind than `value`.
json::value other_kind(const json::value& value) {
  if (value.is_string()) return 1;
  if (value.is_bool()) return 1;
  if (value.is_array()) return json::object{};
  if (value.is_object()) return json::array{};
  return "1";  // numbers
}

TEST(RecordDecoding, GarbageIsCorruption) {
  for (const JsonRecord& record : json_records()) {
    ASSERT_TRUE(record.decodes(record.valid)) << record.name;
    for (const std::string& garbage :
         {std::string(), std::string("not json"), std::string("{"), std::string("[]"),
          std::string("null"), std::string("1"), std::string("\"v\""),
          std::string("\xff\xfe\x00", 3), std::string("{\"v\":1}"), record.valid + "x",
          record.valid.substr(0, record.valid.size() / 2),
          std::string(100, '[') + std::string(100, ']')}) {
      expect_corrupt(record, garbage, "garbage " + garbage);
    }
  }
}

TEST(RecordDecoding, OtherFormatVersionsAreCorruption) {
  for (const JsonRecord& record : json_records()) {
    for (const json::value& version :
         {json::value(0), json::value(2), json::value(-1), json::value("1"), json::value(1.0),
          json::value(true), json::value(nullptr),
          json::value(std::numeric_limits<std::uint64_t>::max())}) {
      json::object object = json::parse(record.valid).as_object();
      object["v"] = version;
      expect_corrupt(record, json::serialize(object), "v = " + json::serialize(version));
    }
    json::object object = json::parse(record.valid).as_object();
    object.erase("v");
    expect_corrupt(record, json::serialize(object), "no v");
  }
}

TEST(RecordDecoding, EveryMissingOrMistypedFieldIsCorruption) {
  for (const JsonRecord& record : json_records()) {
    const json::object valid = json::parse(record.valid).as_object();
    ASSERT_GT(valid.size(), 1u);
    for (const auto& entry : valid) {
      const std::string key(entry.key());
      json::object missing = valid;
      missing.erase(key);
      // A clue's routing explanation, escalation state and history are
      // optional: clues stored before they were kept have none
      // (ClueRouteIsOptionalAndRoundTrips, ClueEscalationsAreOptionalAndRoundTrip,
      // AClueWithoutAHistoryDecodesWithAnEmptyOne), and so are recusals and
      // added key entries, and message times (ClueMessageTimesAreOptionalAndBounded).
      if (key != "route" && key != "escalations" && key != "next_check_at" && key != "events" &&
          key != "recused_units" && key != "message_times") {
        expect_corrupt(record, json::serialize(missing), "missing " + key);
      }

      json::object mistyped = valid;
      mistyped[key] = other_kind(entry.value());
      expect_corrupt(record, json::serialize(mistyped), "mistyped " + key);
    }
  }
}

TEST(RecordDecoding, ClueRouteIsOptionalAndRoundTrips) {
  Clue clue = sample_clue();
  clue.route = {{.rule = "graded_jurisdiction", .unit_id = 4, .text = "a village cadre ..."},
                {.rule = "not_receiving", .unit_id = 3, .text = "no current key ..."}};
  const auto decoded = decode_clue(encode(clue));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded->route, clue.route);

  json::object without = json::parse(encode(clue)).as_object();
  without.erase("route");
  const auto older = decode_clue(json::serialize(without));
  ASSERT_TRUE(older) << older.error().message();
  EXPECT_TRUE(older->route.empty());

  json::object bad_step = json::parse(encode(clue)).as_object();
  bad_step["route"].as_array()[0].as_object().erase("rule");
  EXPECT_EQ(decode_clue(json::serialize(bad_step)).error(), errc::storage_corruption);
}

TEST(RecordDecoding, ClueMessageTimesAreOptionalAndBounded) {
  Clue clue = sample_clue();
  clue.message_times = {1'795'000'300, 1'795'000'400};  // 2 of the 4 messages
  clue.message_bytes = 5'000'000'000u;
  const auto decoded = decode_clue(encode(clue));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, clue);

  json::object without = json::parse(encode(clue)).as_object();
  without.erase("message_times");
  without.erase("message_bytes");
  const auto older = decode_clue(json::serialize(without));
  ASSERT_TRUE(older) << older.error().message();
  EXPECT_TRUE(older->message_times.empty());
  EXPECT_EQ(older->message_bytes, 0u);

  // More times than messages cannot come from a writer.
  clue.message_times = {1, 2, 3, 4, 5};
  EXPECT_EQ(decode_clue(encode(clue)).error(), errc::storage_corruption);
}

TEST(RecordDecoding, ClueEscalationsAreOptionalAndRoundTrip) {
  Clue clue = sample_clue();
  clue.escalations = {
      {.unit_id = 3,
       .reason = "acknowledge_overdue",
       .deadline = 1'800'000'000,
       .at = 1'800'000'060},
      {.unit_id = 2, .reason = "handle_overdue", .deadline = 1'807'000'000, .at = 1'807'000'001}};
  clue.next_check_at = 1'808'000'000;
  const auto decoded = decode_clue(encode(clue));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, clue);

  json::object without = json::parse(encode(clue)).as_object();
  without.erase("escalations");
  without.erase("next_check_at");
  const auto older = decode_clue(json::serialize(without));
  ASSERT_TRUE(older) << older.error().message();
  EXPECT_TRUE(older->escalations.empty());
  EXPECT_EQ(older->next_check_at, 0);

  for (const std::string key : {"unit_id", "reason", "deadline", "at"}) {
    json::object bad = json::parse(encode(clue)).as_object();
    bad["escalations"].as_array()[1].as_object().erase(key);
    EXPECT_EQ(decode_clue(json::serialize(bad)).error(), errc::storage_corruption) << key;
  }
}

// The index entries of a clue, as {family, key} -> value, after applying
// `mutations` to `entries`.
using IndexEntries = std::map<std::pair<Family, std::string>, std::string>;
void apply_mutations(IndexEntries& entries, const std::vector<Mutation>& mutations) {
  for (const Mutation& mutation : mutations) {
    ASSERT_TRUE(mutation.family == Family::kQueue || mutation.family == Family::kDeadlines);
    if (mutation.value) {
      entries[{mutation.family, mutation.key}] = *mutation.value;
    } else {
      EXPECT_EQ(entries.erase({mutation.family, mutation.key}), 1u) << "deleting an absent entry";
    }
  }
}

// Queue entry values: the relation, then a copy of the record.
std::string handling(const Clue& clue) { return "h" + encode(clue); }
std::string escalated_to(const Clue& clue) { return "e" + encode(clue); }

TEST(ClueIndexes, FollowTheHandlingUnitTheEscalationsTheStatusAndTheNextCheck) {
  Clue clue = sample_clue();
  clue.unit_id = 4;
  clue.status = ClueStatus::kReceived;
  clue.next_check_at = 1'800'000'000;
  IndexEntries entries;
  apply_mutations(entries, index_mutations(nullptr, clue));
  EXPECT_EQ(entries,
            (IndexEntries{
                {{Family::kQueue, queue_key(4, ClueStatus::kReceived, clue.received_at, clue.id)},
                 handling(clue)},
                {{Family::kDeadlines, deadline_key(1'800'000'000, clue.id)}, ""}}));
  EXPECT_TRUE(index_mutations(&clue, clue).empty()) << "nothing changed, nothing written";

  Clue escalated = clue;
  escalated.escalations = {{.unit_id = 3, .reason = "acknowledge_overdue"}};
  escalated.next_check_at = 1'800'500'000;
  const auto escalating = index_mutations(&clue, escalated);
  EXPECT_EQ(escalating.size(), 4u)
      << "old deadline entry out, new one and the county's entry in, the township's copy renewed";
  apply_mutations(entries, escalating);
  EXPECT_EQ(entries,
            (IndexEntries{
                {{Family::kQueue, queue_key(4, ClueStatus::kReceived, clue.received_at, clue.id)},
                 handling(escalated)},
                {{Family::kQueue, queue_key(3, ClueStatus::kReceived, clue.received_at, clue.id)},
                 escalated_to(escalated)},
                {{Family::kDeadlines, deadline_key(1'800'500'000, clue.id)}, ""}}));
  const auto entry = decode_queue_entry(
      entries.at({Family::kQueue, queue_key(3, ClueStatus::kReceived, clue.received_at, clue.id)}));
  ASSERT_TRUE(entry.has_value());
  EXPECT_TRUE(entry->escalated);
  EXPECT_EQ(entry->clue, escalated);

  // A status change moves every queue entry; nothing left to check drops
  // the deadline entry.
  Clue closed = escalated;
  closed.status = ClueStatus::kClosed;
  closed.next_check_at = 0;
  apply_mutations(entries, index_mutations(&escalated, closed));
  EXPECT_EQ(
      entries,
      (IndexEntries{{{Family::kQueue, queue_key(4, ClueStatus::kClosed, clue.received_at, clue.id)},
                     handling(closed)},
                    {{Family::kQueue, queue_key(3, ClueStatus::kClosed, clue.received_at, clue.id)},
                     escalated_to(closed)}}));

  // A unit that saw it escalated and then handles it has one entry: handling.
  Clue transferred = closed;
  transferred.unit_id = 3;
  apply_mutations(entries, index_mutations(&closed, transferred));
  EXPECT_EQ(
      entries,
      (IndexEntries{{{Family::kQueue, queue_key(3, ClueStatus::kClosed, clue.received_at, clue.id)},
                     handling(transferred)}}));
}

TEST(ClueIndexes, AQueueEntryThatIsNotOneIsCorruption) {
  const Clue clue = sample_clue();
  EXPECT_EQ(decode_queue_entry("").error(), errc::storage_corruption);
  EXPECT_EQ(decode_queue_entry("x" + encode(clue)).error(), errc::storage_corruption);
  EXPECT_EQ(decode_queue_entry("h{").error(), errc::storage_corruption);
  EXPECT_EQ(decode_queue_entry("escalated").error(), errc::storage_corruption);
  EXPECT_FALSE(decode_queue_entry(handling(clue)).value().escalated);
}

TEST(ClueIndexes, DeadlineKeysSortByTimeAndParseBack) {
  ClueId a{}, b{};
  a[0] = std::byte{0xff};
  b[0] = std::byte{0x01};
  EXPECT_LT(deadline_key(1'000, a), deadline_key(1'001, b));
  EXPECT_LT(deadline_key(255, a), deadline_key(256, b));
  const auto parsed = parse_deadline_key(deadline_key(1'800'000'000, a));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->first, 1'800'000'000);
  EXPECT_EQ(parsed->second, a);
  EXPECT_EQ(parse_deadline_key("short").error(), errc::storage_corruption);
  EXPECT_EQ(clue_claim_key(a).substr(0, 5), "clue:");
  EXPECT_EQ(clue_claim_key(a).size(), 21u);
}

TEST(RecordDecoding, NestedEntriesAreCheckedToo) {
  const json::object unit = json::parse(encode(sample_unit())).as_object();
  for (const std::string key : {"key_id", "public_key", "current"}) {
    json::object missing = unit;
    missing["keys"].as_array()[1].as_object().erase(key);
    EXPECT_EQ(decode_unit(json::serialize(missing)).error(), errc::storage_corruption) << key;
    json::object mistyped = unit;
    auto& field = mistyped["keys"].as_array()[1].as_object()[key];
    field = other_kind(field);
    EXPECT_EQ(decode_unit(json::serialize(mistyped)).error(), errc::storage_corruption) << key;
  }
  json::object not_an_object = unit;
  not_an_object["keys"].as_array()[0] = "key";
  EXPECT_EQ(decode_unit(json::serialize(not_an_object)).error(), errc::storage_corruption);

  const json::object clue = json::parse(encode(sample_clue())).as_object();
  for (const std::string key : {"index", "bytes", "parts", "complete"}) {
    json::object missing = clue;
    missing["attachments"].as_array()[0].as_object().erase(key);
    EXPECT_EQ(decode_clue(json::serialize(missing)).error(), errc::storage_corruption) << key;
  }
  json::object bad_recipient = clue;
  bad_recipient["recipient_key_ids"].as_array()[0] = 5;
  EXPECT_EQ(decode_clue(json::serialize(bad_recipient)).error(), errc::storage_corruption);
}

TEST(RecordDecoding, OutOfRangeNumbersAndBadBytesAreCorruption) {
  const auto site_with = [](std::string_view key, json::value value) {
    json::object object = json::parse(encode(sample_site())).as_object();
    object[key] = std::move(value);
    return decode_site(json::serialize(object));
  };
  EXPECT_EQ(site_with("token_version", 65536).error(), errc::storage_corruption);
  EXPECT_EQ(site_with("id", -1).error(), errc::storage_corruption);
  EXPECT_EQ(site_with("id", std::int64_t{1} << 32).error(), errc::storage_corruption);
  EXPECT_EQ(site_with("id", 1.5).error(), errc::storage_corruption);
  // Above INT64_MAX Boost.JSON holds the number as uint64: still corruption,
  // never an exception out of the decoder.
  EXPECT_EQ(site_with("id", std::numeric_limits<std::uint64_t>::max()).error(),
            errc::storage_corruption);
  EXPECT_TRUE(site_with("token_version", 1));

  const auto clue_with = [](std::string_view key, json::value value) {
    json::object object = json::parse(encode(sample_clue())).as_object();
    object[key] = std::move(value);
    return decode_clue(json::serialize(object));
  };
  EXPECT_EQ(clue_with("status", 0).error(), errc::storage_corruption);
  EXPECT_EQ(clue_with("status", 5).error(), errc::storage_corruption);
  EXPECT_EQ(clue_with("received_at", std::numeric_limits<std::uint64_t>::max()).error(),
            errc::storage_corruption);
  EXPECT_EQ(clue_with("id", json::string(std::string(31, 'a'))).error(), errc::storage_corruption);
  EXPECT_EQ(clue_with("id", json::string(std::string(34, 'a'))).error(), errc::storage_corruption);
  EXPECT_EQ(clue_with("id", json::string(std::string(32, 'z'))).error(), errc::storage_corruption);
  EXPECT_EQ(clue_with("reply_public_key", "").error(), errc::storage_corruption);

  EXPECT_EQ(decode_note("").error(), errc::storage_corruption);
  EXPECT_EQ(decode_note("1234567").error(), errc::storage_corruption);
  EXPECT_TRUE(decode_note("12345678"));
}

// ---- keys ---------------------------------------------------------------------

TEST(RecordKeys, FixedWidthBigEndian) {
  EXPECT_EQ(unit_key(1), std::string("\x00\x00\x00\x01", 4));
  EXPECT_EQ(unit_key(0x01020304), "\x01\x02\x03\x04");
  EXPECT_EQ(site_key(256), std::string("\x00\x00\x01\x00", 4));
  // Bytewise order is numeric order, including where decimal text is not
  // ("9" > "10") and where a little-endian layout would not (255 vs 256).
  EXPECT_LT(unit_key(9), unit_key(10));
  EXPECT_LT(unit_key(255), unit_key(256));
  EXPECT_LT(site_key(65535), site_key(65536));
  EXPECT_EQ(kDeploymentKey, "deployment");

  const ClueId id = filled<16>(40);
  const std::string id_bytes(reinterpret_cast<const char*>(id.data()), id.size());
  EXPECT_EQ(clue_key(id), id_bytes + "m");
  EXPECT_EQ(envelope_key(id), id_bytes + "e");
  EXPECT_EQ(message_key(id, 258), id_bytes + "x" + std::string("\x00\x00\x01\x02", 4));
  EXPECT_EQ(reply_key(id, 1), id_bytes + "r" + std::string("\x00\x00\x00\x01", 4));
  EXPECT_EQ(attachment_part_key(id, 7, 3), id_bytes + "p" + std::string("\x07\x00\x00\x00\x03", 5));
  EXPECT_LT(message_key(id, 9), message_key(id, 10));
  EXPECT_LT(message_key(id, 255), message_key(id, 256));
  EXPECT_LT(attachment_part_key(id, 0, 70000), attachment_part_key(id, 1, 0));
  const Bytes32 hash = filled<32>(90);
  EXPECT_EQ(receipt_key(hash), std::string(reinterpret_cast<const char*>(hash.data()), 32));
}

TEST(RecordKeys, QueueSortsByUnitThenStatusThenTime) {
  const ClueId a = filled<16>(1);
  const ClueId b = filled<16>(250);
  const std::string key = queue_key(0x01020304, ClueStatus::kAcknowledged, 0x0506, a);
  EXPECT_EQ(key.substr(0, 4), "\x01\x02\x03\x04");
  EXPECT_EQ(key[4], '\x02');
  EXPECT_EQ(key.substr(5, 8), std::string("\x00\x00\x00\x00\x00\x00\x05\x06", 8));
  EXPECT_EQ(key.size(), 4u + 1 + 8 + 16);

  // Unit dominates status and time; status dominates time; time dominates id.
  EXPECT_LT(queue_key(1, ClueStatus::kClosed, 9'000'000'000, b),
            queue_key(2, ClueStatus::kReceived, 0, a));
  EXPECT_LT(queue_key(255, ClueStatus::kClosed, 0, a), queue_key(256, ClueStatus::kReceived, 0, a));
  EXPECT_LT(queue_key(1, ClueStatus::kReceived, 9'000'000'000, b),
            queue_key(1, ClueStatus::kAcknowledged, 1, a));
  EXPECT_LT(queue_key(1, ClueStatus::kReceived, 255, b),
            queue_key(1, ClueStatus::kReceived, 256, a));
  EXPECT_LT(queue_key(1, ClueStatus::kReceived, 5, a), queue_key(1, ClueStatus::kReceived, 5, b));

  EXPECT_TRUE(queue_key(7, ClueStatus::kReceived, 5, a).starts_with(queue_prefix(7)));
  EXPECT_FALSE(queue_key(7, ClueStatus::kReceived, 5, a).starts_with(queue_prefix(8)));
  EXPECT_FALSE(queue_key(0x0100, ClueStatus::kReceived, 5, a).starts_with(queue_prefix(1)));
}

// ---- registry -----------------------------------------------------------------

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::open({.directory = dir_.path() / "db"});
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
  }

  void put_raw(Family family, std::string key, std::string value) {
    const std::vector<Mutation> batch{{family, std::move(key), std::move(value)}};
    ASSERT_TRUE(store_->write(batch));
  }

  static Unit unit(std::string name, std::string level, std::uint32_t parent = 0) {
    Unit unit;
    unit.name = std::move(name);
    unit.level = std::move(level);
    unit.parent_id = parent;
    return unit;
  }

  std::uint32_t must_add(const Unit& unit) {
    auto id = add_unit(*store_, unit);
    EXPECT_TRUE(id) << id.error().message();
    return id ? *id : 0;
  }

  TempDirectory dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(RegistryTest, DeploymentIsNotFoundUntilSavedAndSaveOverwrites) {
  EXPECT_EQ(load_deployment(*store_).error(), errc::not_found);
  const Deployment first = sample_deployment();
  ASSERT_TRUE(save_deployment(*store_, first));
  EXPECT_EQ(load_deployment(*store_).value(), first);
  Deployment second = first;
  second.receipt_salt = filled<16>(1);
  ASSERT_TRUE(save_deployment(*store_, second));
  EXPECT_EQ(load_deployment(*store_).value(), second);

  put_raw(Family::kMeta, std::string(kDeploymentKey), "{\"v\":1}");
  EXPECT_EQ(load_deployment(*store_).error(), errc::storage_corruption);
}

TEST_F(RegistryTest, EveryRegistryChangeIsAuditedInTheSameBatch) {
  ASSERT_TRUE(save_deployment(*store_, sample_deployment()));
  Unit province = unit("Province", "province");
  province.keys = sample_unit().keys;
  const std::uint32_t province_id = must_add(province);
  Unit changed = *get_unit(*store_, province_id);
  for (UnitKey& key : changed.keys) key.current = false;
  ASSERT_TRUE(put_unit(*store_, changed));
  const auto site_id =
      add_site(*store_, {.name = "Board", .unit_id = province_id, .kind = "school"});
  ASSERT_TRUE(site_id);
  ASSERT_TRUE(revoke_site(*store_, *site_id));
  // Refused changes write no entry.
  EXPECT_FALSE(add_unit(*store_, unit("", "city", province_id)));
  EXPECT_EQ(revoke_site(*store_, 99).error(), errc::not_found);

  const auto entries = read_audit(*store_, 1, 100);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 5u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"deployment.save", "deployment"},
      {"unit.add", "unit:1"},
      {"unit.update", "unit:1"},
      {"site.add", "site:1"},
      {"site.revoke", "site:1"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ((*entries)[i].record.actor, "operator:cli");
    EXPECT_EQ((*entries)[i].record.action, expected[i].first);
    EXPECT_EQ((*entries)[i].record.object, expected[i].second);
  }
  const json::object updated = json::parse((*entries)[2].record.detail).as_object();
  EXPECT_EQ(updated.at("name"), "Province");
  EXPECT_EQ(updated.at("key_ids").as_array().size(), sample_unit().keys.size());
  EXPECT_TRUE(updated.at("current_key_ids").as_array().empty());
  // Key ids in base64url, as the API and the command line show them.
  EXPECT_EQ(updated.at("key_ids").at(0).as_string(),
            crypto::to_base64url(sample_unit().keys[0].key_id));
  EXPECT_EQ(json::parse((*entries)[4].record.detail).at("token_version"), 2);
  const auto verified = verify_audit(*store_);
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->intact) << verified->problem;

  // A change whose audit entry cannot be chained is not made at all.
  put_raw(Family::kMeta, std::string(kAuditHeadKey), "damaged");
  EXPECT_EQ(add_unit(*store_, unit("City", "city", province_id)).error(), errc::storage_corruption);
  EXPECT_EQ(list_units(*store_)->size(), 1u);
  EXPECT_EQ(get_site(*store_, *site_id)->token_version, 2);
  EXPECT_EQ(revoke_site(*store_, *site_id).error(), errc::storage_corruption);
  EXPECT_EQ(get_site(*store_, *site_id)->token_version, 2);
}

TEST_F(RegistryTest, AddUnitAllocatesConsecutiveIdsAndIgnoresTheGivenId) {
  Unit province = unit("Province", "province");
  province.id = 99;
  province.keys = sample_unit().keys;
  const std::uint32_t province_id = must_add(province);
  EXPECT_EQ(province_id, 1u);
  const std::uint32_t city_id = must_add(unit("City", "city", province_id));
  EXPECT_EQ(city_id, 2u);

  const auto stored = get_unit(*store_, province_id);
  ASSERT_TRUE(stored);
  province.id = 1;
  EXPECT_EQ(*stored, province);
  EXPECT_EQ(get_unit(*store_, city_id)->parent_id, province_id);
  EXPECT_EQ(get_unit(*store_, 3).error(), errc::not_found);
}

TEST_F(RegistryTest, AddUnitRefusesBadInputWithoutSpendingAnId) {
  EXPECT_EQ(add_unit(*store_, unit("", "province")).error(), errc::invalid_argument);
  EXPECT_EQ(add_unit(*store_, unit(std::string(201, 'n'), "province")).error(),
            errc::invalid_argument);
  EXPECT_EQ(add_unit(*store_, unit("Orphan", "city", 5)).error(), errc::invalid_argument);
  Unit duplicate_keys = unit("Dup", "county");
  duplicate_keys.keys = {sample_unit().keys[0], sample_unit().keys[0]};
  duplicate_keys.keys[1].public_key = filled<32>(99);  // same id, other key: still a duplicate
  EXPECT_EQ(add_unit(*store_, duplicate_keys).error(), errc::invalid_argument);
  EXPECT_TRUE(list_units(*store_)->empty());

  EXPECT_EQ(must_add(unit(std::string(200, 'n'), "province")), 1u);
}

TEST_F(RegistryTest, ListUnitsIsInNumericIdOrder) {
  // Jump the counter so that ids cross a byte boundary (255 -> 256).
  put_raw(Family::kMeta, std::string(kNextUnitIdKey), "254");
  const std::uint32_t root = must_add(unit("Root", "province"));
  EXPECT_EQ(root, 254u);
  EXPECT_EQ(must_add(unit("A", "city", root)), 255u);
  EXPECT_EQ(must_add(unit("B", "city", root)), 256u);
  const auto units = list_units(*store_);
  ASSERT_TRUE(units);
  std::vector<std::uint32_t> ids;
  for (const Unit& listed : *units) ids.push_back(listed.id);
  EXPECT_EQ(ids, (std::vector<std::uint32_t>{254, 255, 256}));
  EXPECT_EQ(units->at(1).name, "A");
}

TEST_F(RegistryTest, DamagedCountersAndRecordsAreCorruption) {
  put_raw(Family::kMeta, std::string(kNextUnitIdKey), "abc");
  EXPECT_EQ(add_unit(*store_, unit("Root", "province")).error(), errc::storage_corruption);
  put_raw(Family::kMeta, std::string(kNextUnitIdKey), "0");
  EXPECT_EQ(add_unit(*store_, unit("Root", "province")).error(), errc::storage_corruption);
  put_raw(Family::kMeta, std::string(kNextUnitIdKey), "7");
  EXPECT_EQ(must_add(unit("Root", "province")), 7u);

  put_raw(Family::kUnits, unit_key(9), "garbage");
  EXPECT_EQ(list_units(*store_).error(), errc::storage_corruption);
  EXPECT_EQ(get_unit(*store_, 9).error(), errc::storage_corruption);
}

TEST_F(RegistryTest, PutUnitReplacesOnlyExistingUnits) {
  const std::uint32_t id = must_add(unit("Root", "province"));
  Unit changed = get_unit(*store_, id).value();
  changed.name = "Renamed";
  changed.keys = sample_unit().keys;
  ASSERT_TRUE(put_unit(*store_, changed));
  EXPECT_EQ(get_unit(*store_, id).value(), changed);

  Unit absent = changed;
  absent.id = 42;
  EXPECT_EQ(put_unit(*store_, absent).error(), errc::not_found);
  changed.name.clear();
  EXPECT_EQ(put_unit(*store_, changed).error(), errc::invalid_argument);
  EXPECT_EQ(get_unit(*store_, id)->name, "Renamed");
}

TEST_F(RegistryTest, AddSiteAllocatesItsOwnIdsAndValidates) {
  const std::uint32_t root = must_add(unit("Root", "province"));
  const std::uint32_t village = must_add(unit("Village", "village", root));
  const Site board{.name = "Board", .unit_id = village, .kind = "village_board"};
  const auto first = add_site(*store_, board);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 1u);  // site ids do not share the unit counter
  Site stored = get_site(*store_, 1).value();
  EXPECT_EQ(stored.name, "Board");
  EXPECT_EQ(stored.unit_id, village);
  EXPECT_EQ(stored.token_version, 1);

  EXPECT_EQ(add_site(*store_, {.name = "x", .unit_id = 99, .kind = "school"}).error(),
            errc::invalid_argument);
  for (const std::string& kind :
       std::vector<std::string>{"", "Village", "a-b", "a b", std::string(33, 'a')}) {
    EXPECT_EQ(add_site(*store_, {.name = "x", .unit_id = village, .kind = kind}).error(),
              errc::invalid_argument)
        << kind;
  }
  EXPECT_EQ(add_site(*store_, {.name = "", .unit_id = village, .kind = "school"}).error(),
            errc::invalid_argument);
  EXPECT_EQ(
      add_site(*store_, {.name = "x", .unit_id = village, .kind = "school", .token_version = 0})
          .error(),
      errc::invalid_argument);

  EXPECT_EQ(add_site(*store_, {.name = "School", .unit_id = village, .kind = std::string(32, 'a')})
                .value(),
            2u);
  const auto sites = list_sites(*store_);
  ASSERT_TRUE(sites);
  ASSERT_EQ(sites->size(), 2u);
  EXPECT_EQ(sites->at(0).id, 1u);
  EXPECT_EQ(sites->at(1).id, 2u);
  EXPECT_EQ(get_site(*store_, 3).error(), errc::not_found);
}

TEST_F(RegistryTest, RevokeSiteBumpsTheStoredVersion) {
  const std::uint32_t root = must_add(unit("Root", "province"));
  const std::uint32_t id =
      add_site(*store_, {.name = "Board", .unit_id = root, .kind = "village_board"}).value();
  const auto revoked = revoke_site(*store_, id);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->token_version, 2);
  EXPECT_EQ(get_site(*store_, id)->token_version, 2);
  EXPECT_EQ(revoke_site(*store_, id)->token_version, 3);
  EXPECT_EQ(get_site(*store_, id)->token_version, 3);
  EXPECT_EQ(get_site(*store_, id)->name, "Board");
  EXPECT_EQ(revoke_site(*store_, 99).error(), errc::not_found);

  const std::uint32_t last =
      add_site(*store_,
               {.name = "Worn out", .unit_id = root, .kind = "school", .token_version = 65535})
          .value();
  EXPECT_EQ(revoke_site(*store_, last).error(), errc::conflict);
  EXPECT_EQ(get_site(*store_, last)->token_version, 65535);
}

}  // namespace
}  // namespace clueline::storage
