#include "clueline/storage/records.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <chrono>
#include <cstring>
#include <exception>
#include <iterator>
#include <map>
#include <set>
#include <span>
#include <utility>

#include "clueline/crypto/encoding.hpp"
#include "clueline/storage/audit.hpp"
#include "json_record.hpp"
#include "registry_write.hpp"

namespace clueline::storage {
namespace {

namespace json = boost::json;
using json_record::append_bytes;
using json_record::append_u32be;
using json_record::append_u64be;
using json_record::array_field;
using json_record::bool_field;
using json_record::bytes_field;
using json_record::bytes_from_hex;
using json_record::Corrupt;
using json_record::decode_with;
using json_record::hex;
using json_record::hex_string;
using json_record::integer_field;
using json_record::object_of;
using json_record::read_u64be;
using json_record::string_field;
using json_record::unhex_string;
using json_record::versioned;

constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxRecords = 1'000'000;

bool is_identifier(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool valid_name(std::string_view name) { return !name.empty() && name.size() <= kMaxNameBytes; }

// The next id of a counter in kMeta ("1" when absent).
result<std::uint32_t> next_id(const Store& store, std::string_view counter) {
  auto stored = store.get(Family::kMeta, counter);
  if (!stored) {
    if (stored.error() == errc::not_found) return 1u;
    return stored.error();
  }
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(stored->data(), stored->data() + stored->size(), value);
  if (ec != std::errc{} || end != stored->data() + stored->size() || value == 0) {
    return errc::storage_corruption;
  }
  return value;
}

template <typename Record, typename Decoder>
result<std::vector<Record>> list_family(const Store& store, Family family, Decoder decoder) {
  auto rows = store.scan(family, "", kMaxRecords);
  if (!rows) return rows.error();
  std::vector<Record> records;
  records.reserve(rows->size());
  for (const auto& [key, value] : *rows) {
    auto record = decoder(value);
    if (!record) return record.error();
    records.push_back(std::move(*record));
  }
  return records;
}

// Unit key certificates have a variable length (crypto-spec §3.1).
constexpr std::size_t kMaxCertificateBytes = 169;

}  // namespace

bool Unit::receiving() const noexcept {
  return active &&
         std::any_of(keys.begin(), keys.end(), [](const UnitKey& key) { return key.current; });
}

std::string_view status_name(ClueStatus status) noexcept {
  switch (status) {
    case ClueStatus::kReceived:
      return "received";
    case ClueStatus::kAcknowledged:
      return "acknowledged";
    case ClueStatus::kInvestigating:
      return "investigating";
    case ClueStatus::kClosed:
      return "closed";
  }
  return "unknown";
}

std::string unit_key(std::uint32_t unit_id) {
  std::string key;
  append_u32be(key, unit_id);
  return key;
}

std::string site_key(std::uint32_t site_id) { return unit_key(site_id); }

std::string clue_key(const ClueId& id) {
  std::string key;
  append_bytes(key, id);
  key.push_back('m');
  return key;
}

std::string envelope_key(const ClueId& id) {
  std::string key;
  append_bytes(key, id);
  key.push_back('e');
  return key;
}

std::string message_key(const ClueId& id, std::uint32_t seq) {
  std::string key;
  append_bytes(key, id);
  key.push_back('x');
  append_u32be(key, seq);
  return key;
}

std::string reply_key(const ClueId& id, std::uint32_t seq) {
  std::string key;
  append_bytes(key, id);
  key.push_back('r');
  append_u32be(key, seq);
  return key;
}

std::string attachment_part_key(const ClueId& id, std::uint8_t index, std::uint32_t part) {
  std::string key;
  append_bytes(key, id);
  key.push_back('p');
  key.push_back(static_cast<char>(index));
  append_u32be(key, part);
  return key;
}

std::string queue_key(std::uint32_t unit_id, ClueStatus status, UnixSeconds received_at,
                      const ClueId& id) {
  std::string key = queue_prefix(unit_id);
  key.push_back(static_cast<char>(status));
  append_u64be(key, static_cast<std::uint64_t>(received_at));
  append_bytes(key, id);
  return key;
}

std::string queue_prefix(std::uint32_t unit_id) { return unit_key(unit_id); }

std::string receipt_key(const Bytes32& lookup_hash) {
  std::string key;
  append_bytes(key, lookup_hash);
  return key;
}

std::string clue_claim_key(const ClueId& id) {
  std::string key = "clue:";
  append_bytes(key, id);
  return key;
}

std::string deadline_key(UnixSeconds next_check_at, const ClueId& id) {
  std::string key;
  append_u64be(key, static_cast<std::uint64_t>(next_check_at));
  append_bytes(key, id);
  return key;
}

result<std::pair<UnixSeconds, ClueId>> parse_deadline_key(std::string_view key) {
  if (key.size() != 8 + 16) return errc::storage_corruption;
  const std::uint64_t at = read_u64be(key);
  ClueId id{};
  std::memcpy(id.data(), key.data() + 8, id.size());
  return std::pair{static_cast<UnixSeconds>(at), id};
}

namespace {

constexpr char kQueueHandlingTag = 'h';
constexpr char kQueueEscalatedTag = 'e';

// Every index entry a clue should have, as {family, key} -> value.
std::map<std::pair<Family, std::string>, std::string> index_entries(const Clue& clue) {
  std::map<std::pair<Family, std::string>, std::string> entries;
  const std::string record = encode(clue);
  for (const Escalation& escalation : clue.escalations) {
    entries[{Family::kQueue, queue_key(escalation.unit_id, clue.status, clue.received_at,
                                       clue.id)}] = kQueueEscalatedTag + record;
  }
  // Assigned last: if a unit both handles the clue and saw it escalated
  // (after a transfer upwards, say), it handles it.
  entries[{Family::kQueue, queue_key(clue.unit_id, clue.status, clue.received_at, clue.id)}] =
      kQueueHandlingTag + record;
  if (clue.next_check_at != 0) {
    entries[{Family::kDeadlines, deadline_key(clue.next_check_at, clue.id)}] = std::string();
  }
  return entries;
}

}  // namespace

result<QueueEntry> decode_queue_entry(std::string_view value) {
  if (value.empty() || (value[0] != kQueueHandlingTag && value[0] != kQueueEscalatedTag)) {
    return errc::storage_corruption;
  }
  auto clue = decode_clue(value.substr(1));
  if (!clue) return clue.error();
  return QueueEntry{.escalated = value[0] == kQueueEscalatedTag, .clue = std::move(*clue)};
}

std::vector<Mutation> index_mutations(const Clue* before, const Clue& after) {
  const auto wanted = index_entries(after);
  const auto existing = before != nullptr ? index_entries(*before) : decltype(wanted){};
  std::vector<Mutation> mutations;
  for (const auto& [where, value] : existing) {
    if (!wanted.contains(where)) mutations.push_back({where.first, where.second, std::nullopt});
  }
  for (const auto& [where, value] : wanted) {
    const auto old = existing.find(where);
    if (old == existing.end() || old->second != value) {
      mutations.push_back({where.first, where.second, value});
    }
  }
  return mutations;
}

std::string encode(const Deployment& value) {
  json::object object = versioned();
  object["site_signing_public_key"] = hex(value.site_signing_public_key);
  object["receipt_salt"] = hex(value.receipt_salt);
  return json::serialize(object);
}

std::string encode(const Unit& value) {
  json::object object = versioned();
  object["id"] = value.id;
  object["name"] = value.name;
  object["level"] = value.level;
  object["parent_id"] = value.parent_id;
  json::array keys;
  for (const UnitKey& key : value.keys) {
    keys.push_back(json::object{{"key_id", hex(key.key_id)},
                                {"public_key", hex(key.public_key)},
                                {"current", key.current},
                                {"certificate", hex_string(key.certificate)}});
  }
  object["keys"] = std::move(keys);
  object["active"] = value.active;
  return json::serialize(object);
}

std::string encode(const Site& value) {
  json::object object = versioned();
  object["id"] = value.id;
  object["name"] = value.name;
  object["unit_id"] = value.unit_id;
  object["kind"] = value.kind;
  object["token_version"] = value.token_version;
  return json::serialize(object);
}

std::string encode(const Clue& value) {
  json::object object = versioned();
  object["id"] = hex(value.id);
  object["site_id"] = value.site_id;
  object["received_at"] = value.received_at;
  object["category"] = value.category;
  object["accused_level"] = value.accused_level;
  object["unit_id"] = value.unit_id;
  object["status"] = static_cast<int>(value.status);
  object["acknowledge_by"] = value.acknowledge_by;
  object["handle_by"] = value.handle_by;
  object["receipt_lookup_hash"] = hex(value.receipt_lookup_hash);
  object["reply_public_key"] = hex(value.reply_public_key);
  json::array recipients;
  for (const Bytes16& key_id : value.recipient_key_ids)
    recipients.push_back(json::value(hex(key_id)));
  object["recipient_key_ids"] = std::move(recipients);
  object["messages"] = value.messages;
  json::array message_times;
  for (const UnixSeconds at : value.message_times) message_times.push_back(at);
  object["message_times"] = std::move(message_times);
  object["message_bytes"] = value.message_bytes;
  object["replies"] = value.replies;
  json::array attachments;
  for (const AttachmentState& attachment : value.attachments) {
    attachments.push_back(json::object{{"index", attachment.index},
                                       {"bytes", attachment.bytes},
                                       {"parts", attachment.parts},
                                       {"complete", attachment.complete}});
  }
  object["attachments"] = std::move(attachments);
  json::array route;
  for (const RouteStep& step : value.route) {
    route.push_back(
        json::object{{"rule", step.rule}, {"unit_id", step.unit_id}, {"text", step.text}});
  }
  object["route"] = std::move(route);
  json::array escalations;
  for (const Escalation& escalation : value.escalations) {
    escalations.push_back(json::object{{"unit_id", escalation.unit_id},
                                       {"reason", escalation.reason},
                                       {"deadline", escalation.deadline},
                                       {"at", escalation.at}});
  }
  object["escalations"] = std::move(escalations);
  object["next_check_at"] = value.next_check_at;
  json::array events;
  for (const ClueEvent& event : value.events) {
    events.push_back(json::object{{"at", event.at},
                                  {"action", event.action},
                                  {"unit_id", event.unit_id},
                                  {"detail", event.detail}});
  }
  object["events"] = std::move(events);
  object["outcome"] = value.outcome;
  object["duplicate_of"] =
      value.duplicate_of ? json::value(hex(*value.duplicate_of)) : json::value(nullptr);
  json::array recused;
  for (const std::uint32_t unit : value.recused_units) recused.push_back(unit);
  object["recused_units"] = std::move(recused);
  json::array entries;
  for (const KeyEntry& entry : value.key_entries) {
    entries.push_back(
        json::object{{"key_id", hex(entry.key_id)}, {"sealed_key", hex(entry.sealed_key)}});
  }
  object["key_entries"] = std::move(entries);
  return json::serialize(object);
}

std::string encode(const SealedNote& value) {
  std::string out;
  append_u64be(out, static_cast<std::uint64_t>(value.sent_at));
  out += value.payload;
  return out;
}

result<Deployment> decode_deployment(std::string_view bytes) {
  return decode_with<Deployment>(bytes, [](const json::object& object) {
    return Deployment{.site_signing_public_key = bytes_field<32>(object, "site_signing_public_key"),
                      .receipt_salt = bytes_field<16>(object, "receipt_salt")};
  });
}

result<Unit> decode_unit(std::string_view bytes) {
  return decode_with<Unit>(bytes, [](const json::object& object) {
    Unit unit;
    unit.id = integer_field<std::uint32_t>(object, "id");
    unit.name = string_field(object, "name");
    unit.level = string_field(object, "level");
    unit.parent_id = integer_field<std::uint32_t>(object, "parent_id");
    for (const json::value& key : array_field(object, "keys")) {
      const json::object& entry = object_of(key);
      unit.keys.push_back({.key_id = bytes_field<16>(entry, "key_id"),
                           .public_key = bytes_field<32>(entry, "public_key"),
                           .current = bool_field(entry, "current"),
                           // Keys stored before certificates have none.
                           .certificate = entry.contains("certificate")
                                              ? unhex_string(string_field(entry, "certificate"),
                                                             kMaxCertificateBytes)
                                              : std::string()});
    }
    unit.active = bool_field(object, "active");
    return unit;
  });
}

result<Site> decode_site(std::string_view bytes) {
  return decode_with<Site>(bytes, [](const json::object& object) {
    return Site{.id = integer_field<std::uint32_t>(object, "id"),
                .name = string_field(object, "name"),
                .unit_id = integer_field<std::uint32_t>(object, "unit_id"),
                .kind = string_field(object, "kind"),
                .token_version = integer_field<std::uint16_t>(object, "token_version")};
  });
}

result<Clue> decode_clue(std::string_view bytes) {
  return decode_with<Clue>(bytes, [](const json::object& object) {
    Clue clue;
    clue.id = bytes_field<16>(object, "id");
    clue.site_id = integer_field<std::uint32_t>(object, "site_id");
    clue.received_at = integer_field<std::int64_t>(object, "received_at");
    clue.category = string_field(object, "category");
    clue.accused_level = string_field(object, "accused_level");
    clue.unit_id = integer_field<std::uint32_t>(object, "unit_id");
    const auto status = integer_field<std::uint8_t>(object, "status");
    if (status < 1 || status > 4) throw Corrupt{};
    clue.status = static_cast<ClueStatus>(status);
    clue.acknowledge_by = integer_field<std::int64_t>(object, "acknowledge_by");
    clue.handle_by = integer_field<std::int64_t>(object, "handle_by");
    clue.receipt_lookup_hash = bytes_field<32>(object, "receipt_lookup_hash");
    clue.reply_public_key = bytes_field<32>(object, "reply_public_key");
    for (const json::value& key_id : array_field(object, "recipient_key_ids")) {
      if (!key_id.is_string()) throw Corrupt{};
      clue.recipient_key_ids.push_back(bytes_from_hex<16>(key_id.get_string()));
    }
    clue.messages = integer_field<std::uint32_t>(object, "messages");
    clue.replies = integer_field<std::uint32_t>(object, "replies");
    for (const json::value& entry : array_field(object, "attachments")) {
      const json::object& attachment = object_of(entry);
      clue.attachments.push_back({.index = integer_field<std::uint8_t>(attachment, "index"),
                                  .bytes = integer_field<std::uint64_t>(attachment, "bytes"),
                                  .parts = integer_field<std::uint32_t>(attachment, "parts"),
                                  .complete = bool_field(attachment, "complete")});
    }
    // Clues stored before routing explanations were kept have none.
    if (object.contains("route")) {
      for (const json::value& entry : array_field(object, "route")) {
        const json::object& step = object_of(entry);
        clue.route.push_back({.rule = string_field(step, "rule"),
                              .unit_id = integer_field<std::uint32_t>(step, "unit_id"),
                              .text = string_field(step, "text")});
      }
    }
    // Clues stored before escalation existed have neither field and no
    // deadline index entry, so the escalation job never sees them; only
    // development databases hold such clues.
    if (object.contains("escalations")) {
      for (const json::value& entry : array_field(object, "escalations")) {
        const json::object& escalation = object_of(entry);
        clue.escalations.push_back({.unit_id = integer_field<std::uint32_t>(escalation, "unit_id"),
                                    .reason = string_field(escalation, "reason"),
                                    .deadline = integer_field<std::int64_t>(escalation, "deadline"),
                                    .at = integer_field<std::int64_t>(escalation, "at")});
      }
    }
    if (object.contains("next_check_at")) {
      clue.next_check_at = integer_field<std::int64_t>(object, "next_check_at");
    }
    // Clues stored before supervisors could act on them have no history.
    if (object.contains("events")) {
      for (const json::value& entry : array_field(object, "events")) {
        const json::object& event = object_of(entry);
        clue.events.push_back({.at = integer_field<std::int64_t>(event, "at"),
                               .action = string_field(event, "action"),
                               .unit_id = integer_field<std::uint32_t>(event, "unit_id"),
                               .detail = string_field(event, "detail")});
      }
      if (clue.events.size() > kMaxClueEvents) throw Corrupt{};
      clue.outcome = string_field(object, "outcome");
      const json::value& duplicate_of = json_record::field(object, "duplicate_of");
      if (!duplicate_of.is_null()) clue.duplicate_of = bytes_field<16>(object, "duplicate_of");
    }
    // Clues stored before transfer and recusal have neither.
    if (object.contains("recused_units")) {
      for (const json::value& unit : array_field(object, "recused_units")) {
        clue.recused_units.push_back(json_record::integer_value<std::uint32_t>(unit));
      }
      for (const json::value& entry : array_field(object, "key_entries")) {
        const json::object& fields = object_of(entry);
        clue.key_entries.push_back({.key_id = bytes_field<16>(fields, "key_id"),
                                    .sealed_key = bytes_field<80>(fields, "sealed_key")});
      }
      if (clue.key_entries.size() > kMaxKeyEntries) throw Corrupt{};
    }
    // Clues stored before messages were limited have neither.
    if (object.contains("message_times")) {
      for (const json::value& at : array_field(object, "message_times")) {
        clue.message_times.push_back(json_record::integer_value<std::int64_t>(at));
      }
      if (clue.message_times.size() > clue.messages) throw Corrupt{};
      clue.message_bytes = integer_field<std::uint64_t>(object, "message_bytes");
    }
    return clue;
  });
}

result<SealedNote> decode_note(std::string_view bytes) {
  if (bytes.size() < 8) return errc::storage_corruption;
  const std::uint64_t sent_at = read_u64be(bytes);
  return SealedNote{.sent_at = static_cast<UnixSeconds>(sent_at),
                    .payload = std::string(bytes.substr(8))};
}

namespace {

constexpr std::string_view kRegistryActor = "operator:cli";

// Writes the change (synced) together with its audit entry, so that no
// registry change is stored without it. The registry functions run only in
// tools that hold the database lock, so the audit head read here cannot be
// raced.
result<void> write_audited(Store& store, RegistryChange change) {
  auto head = load_audit_head(store);
  if (!head) return head.error();
  const AuditRecord record{.at = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count(),
                           .actor = std::string(kRegistryActor),
                           .action = std::move(change.action),
                           .object = std::move(change.object),
                           .detail = std::move(change.detail)};
  auto entries = chain_audit_records(*head, std::span(&record, 1));
  if (!entries) return entries.error();
  std::move(entries->begin(), entries->end(), std::back_inserter(change.mutations));
  return store.write(change.mutations);
}

json::array key_ids_of(const Unit& unit, bool current_only) {
  json::array ids;
  for (const UnitKey& key : unit.keys) {
    if (!current_only || key.current) ids.emplace_back(crypto::to_base64url(key.key_id));
  }
  return ids;
}

json::object unit_detail(const Unit& unit) {
  return json::object{{"name", unit.name},
                      {"level", unit.level},
                      {"parent_id", unit.parent_id},
                      {"active", unit.active},
                      {"key_ids", key_ids_of(unit, false)},
                      {"current_key_ids", key_ids_of(unit, true)}};
}

}  // namespace

result<Deployment> load_deployment(const Store& store) {
  auto stored = store.get(Family::kMeta, kDeploymentKey);
  if (!stored) return stored.error();
  return decode_deployment(*stored);
}

result<void> save_deployment(Store& store, const Deployment& deployment) {
  return write_audited(store, deployment_saved(deployment));
}

namespace detail {

result<std::uint32_t> next_registry_id(const Store& store, std::string_view counter) {
  return next_id(store, counter);
}

result<void> write_registry_change(Store& store, RegistryChange change) {
  return write_audited(store, std::move(change));
}

}  // namespace detail

RegistryChange unit_added(const Unit& unit) {
  return {.mutations = {{Family::kUnits, unit_key(unit.id), encode(unit)},
                        {Family::kMeta, std::string(kNextUnitIdKey), std::to_string(unit.id + 1)}},
          .action = "unit.add",
          .object = "unit:" + std::to_string(unit.id),
          .detail = json::serialize(unit_detail(unit))};
}

RegistryChange unit_updated(const Unit& unit, std::string action) {
  return {.mutations = {{Family::kUnits, unit_key(unit.id), encode(unit)}},
          .action = std::move(action),
          .object = "unit:" + std::to_string(unit.id),
          .detail = json::serialize(unit_detail(unit))};
}

RegistryChange site_added(const Site& site) {
  return {.mutations = {{Family::kSites, site_key(site.id), encode(site)},
                        {Family::kMeta, std::string(kNextSiteIdKey), std::to_string(site.id + 1)}},
          .action = "site.add",
          .object = "site:" + std::to_string(site.id),
          .detail = json::serialize(json::object{{"name", site.name},
                                                 {"unit_id", site.unit_id},
                                                 {"kind", site.kind},
                                                 {"token_version", site.token_version}})};
}

RegistryChange site_revoked(const Site& site) {
  return {.mutations = {{Family::kSites, site_key(site.id), encode(site)}},
          .action = "site.revoke",
          .object = "site:" + std::to_string(site.id),
          .detail = json::serialize(json::object{{"token_version", site.token_version}})};
}

RegistryChange deployment_saved(const Deployment& deployment) {
  return {
      .mutations = {{Family::kMeta, std::string(kDeploymentKey), encode(deployment)}},
      .action = "deployment.save",
      .object = "deployment",
      .detail = json::serialize(json::object{
          {"site_signing_public_key", crypto::to_base64url(deployment.site_signing_public_key)}})};
}

result<std::uint32_t> next_unit_id(const Store& store) { return next_id(store, kNextUnitIdKey); }

result<std::uint32_t> next_site_id(const Store& store) { return next_id(store, kNextSiteIdKey); }

result<Unit> get_unit(const Store& store, std::uint32_t unit_id) {
  auto stored = store.get(Family::kUnits, unit_key(unit_id));
  if (!stored) return stored.error();
  return decode_unit(*stored);
}

result<std::uint32_t> add_unit(Store& store, Unit unit) {
  if (!valid_name(unit.name)) return errc::invalid_argument;
  if (unit.parent_id != 0) {
    if (auto parent = get_unit(store, unit.parent_id); !parent) {
      return parent.error() == errc::not_found ? errc::invalid_argument : parent.error();
    }
  }
  std::set<Bytes16> key_ids;
  for (const UnitKey& key : unit.keys) {
    if (!key_ids.insert(key.key_id).second) return errc::invalid_argument;
  }
  auto id = next_id(store, kNextUnitIdKey);
  if (!id) return id.error();
  unit.id = *id;
  if (auto written = write_audited(store, unit_added(unit)); !written) return written.error();
  return unit.id;
}

result<void> put_unit(Store& store, const Unit& unit, std::string_view action) {
  if (auto existing = get_unit(store, unit.id); !existing) return existing.error();
  if (!valid_name(unit.name)) return errc::invalid_argument;
  return write_audited(store, unit_updated(unit, std::string(action)));
}

result<std::vector<Unit>> list_units(const Store& store) {
  return list_family<Unit>(store, Family::kUnits, decode_unit);
}

result<Site> get_site(const Store& store, std::uint32_t site_id) {
  auto stored = store.get(Family::kSites, site_key(site_id));
  if (!stored) return stored.error();
  return decode_site(*stored);
}

result<std::uint32_t> add_site(Store& store, Site site) {
  if (!valid_name(site.name) || !is_identifier(site.kind) || site.token_version == 0) {
    return errc::invalid_argument;
  }
  if (auto unit = get_unit(store, site.unit_id); !unit) {
    return unit.error() == errc::not_found ? errc::invalid_argument : unit.error();
  }
  auto id = next_id(store, kNextSiteIdKey);
  if (!id) return id.error();
  site.id = *id;
  if (auto written = write_audited(store, site_added(site)); !written) return written.error();
  return site.id;
}

result<std::vector<Site>> list_sites(const Store& store) {
  return list_family<Site>(store, Family::kSites, decode_site);
}

result<Site> revoke_site(Store& store, std::uint32_t site_id) {
  auto site = get_site(store, site_id);
  if (!site) return site.error();
  // Version 0 is never issued, so wrapping around would resurrect nothing,
  // but a site revoked 65,535 times is a sign of misuse: refuse.
  if (site->token_version == UINT16_MAX) return errc::conflict;
  ++site->token_version;
  if (auto written = write_audited(store, site_revoked(*site)); !written) return written.error();
  return *site;
}

}  // namespace clueline::storage
