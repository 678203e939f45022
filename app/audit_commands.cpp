// clueline audit verify|list|checkpoint: the audit log of a database whose
// server is stopped (docs/audit.md). Everything here reads; the only file
// written is a new checkpoint, which belongs to the auditor, not the server.
#include <boost/algorithm/hex.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>

#include "clueline/common/utc_time.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/services/audit_log.hpp"
#include "clueline/services/registry_json.hpp"
#include "clueline/storage/audit.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "options.hpp"
#include "output.hpp"
#include "registry.hpp"
#include "session.hpp"

namespace clueline::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::size_t kDefaultListLimit = 100;
constexpr std::size_t kMaxListLimit = 10000;

template <std::size_t N>
std::string hex(const std::array<std::byte, N>& bytes) {
  std::string out;
  const auto* begin = reinterpret_cast<const char*>(bytes.data());
  boost::algorithm::hex_lower(begin, begin + N, std::back_inserter(out));
  return out;
}

// A decimal number in [min, max]; UsageError naming `option` otherwise.
std::uint64_t parse_number(const std::string& text, std::string_view option, std::uint64_t min,
                           std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min ||
      value > max) {
    throw UsageError(std::string(option) + " must be a whole number from " + std::to_string(min) +
                     " to " + std::to_string(max));
  }
  return value;
}

using services::audit_entry_json;
using services::audit_head_json;

storage::AuditCheckpoint read_checkpoint_file(const fs::path& path) {
  auto checkpoint = storage::decode_audit_checkpoint(read_text(path));
  if (!checkpoint) {
    throw std::runtime_error(path.string() + ": not an audit checkpoint (from audit checkpoint)");
  }
  return *checkpoint;
}

storage::Bytes32 read_trusted_key_file(const fs::path& path) {
  const auto key = crypto::signing_public_key_from(read_key_file(path));
  if (!key) {
    throw std::runtime_error(path.string() +
                             ": not an Ed25519 public key (the .pub from keygen site-signing)");
  }
  return key->bytes;
}

// Why check_audit_checkpoint refused `checkpoint`, in one line.
std::string checkpoint_problem(const storage::AuditCheckpoint& checkpoint,
                               const storage::Bytes32& trusted, boost::system::error_code error) {
  const std::string seq = std::to_string(checkpoint.seq);
  if (error == errc::authentication_failed) {
    return checkpoint.signer_public_key != trusted
               ? "the checkpoint was signed by another key than the trusted one"
               : "the checkpoint's signature does not verify with the trusted key";
  }
  if (error == errc::not_found) return "the log has no entry " + seq + ": it was truncated";
  if (error == errc::conflict) {
    return "entry " + seq +
           " does not have the checkpoint's hash: the history up to it was rewritten";
  }
  if (error == errc::storage_corruption) return "entry " + seq + " is undecodable";
  return "cannot check the checkpoint: " + error.message();
}

// ---- against a running server (--server URL) ---------------------------------------
//
// The chain is recomputed here from the entries the server hands out, so a
// server cannot pass off a log it edited; only a signed checkpoint kept off
// the server shows that it did not rewrite the whole history consistently.

// A 32-byte hash as the API writes it (64 lower-case hex digits).
storage::Bytes32 hash_from(const json::value& value) {
  const std::string_view text = value.as_string();
  std::string raw;
  try {
    if (text.size() != 64) throw std::invalid_argument("length");
    boost::algorithm::unhex(text.begin(), text.end(), std::back_inserter(raw));
  } catch (const std::exception&) {
    throw std::runtime_error("the server sent a malformed audit hash");
  }
  storage::Bytes32 hash{};
  std::memcpy(hash.data(), raw.data(), hash.size());
  return hash;
}

// An entry of a page; `withheld` says the server gave only its seq and
// hashes (an entry outside the caller's subtree).
struct PageEntry {
  storage::AuditEntry entry;
  bool withheld = false;
};

PageEntry entry_from(const json::value& value) {
  const json::object& object = value.as_object();
  const auto hash_of = [&](std::string_view name) { return hash_from(object.at(name)); };
  PageEntry page_entry;
  page_entry.entry.seq = object.at("seq").to_number<std::uint64_t>();
  page_entry.entry.prev_hash = hash_of("prev_hash");
  page_entry.entry.hash = hash_of("hash");
  if (const json::value* withheld = object.if_contains("withheld");
      withheld != nullptr && withheld->as_bool()) {
    page_entry.withheld = true;
    return page_entry;
  }
  const auto at = parse_utc_text(object.at("at").as_string());
  if (!at) throw std::runtime_error("the server sent an audit entry with a malformed time");
  page_entry.entry.record = {.at = *at,
                             .actor = std::string(object.at("actor").as_string()),
                             .action = std::string(object.at("action").as_string()),
                             .object = std::string(object.at("object").as_string()),
                             .detail = std::string(object.at("detail").as_string())};
  return page_entry;
}

json::object audit_page(SignedIn& session, const std::string& unit_query, std::uint64_t from,
                        std::size_t limit) {
  return call_json(
      session, server::ApiClient::Method::kGet,
      "/api/v1/audit?from=" + std::to_string(from) + "&limit=" + std::to_string(limit) + unit_query,
      nullptr, "audit");
}

// "&unit=N" for --unit N, nothing without (the server takes the caller's
// own unit).
std::string unit_query(const CommandOptions& options) {
  if (!options.has("--unit")) return "";
  return "&unit=" + std::to_string(parse_id(options.required("--unit"), "--unit"));
}

int list_online(const CommandOptions& options) {
  const std::uint64_t from = parse_number(options.value_or("--from", "1"), "--from", 1,
                                          std::numeric_limits<std::uint32_t>::max());
  const std::size_t limit =
      parse_number(options.value_or("--limit", std::to_string(kDefaultListLimit)), "--limit", 1,
                   services::kMaxAuditPage);
  SignedIn session = signed_in(options);
  const json::object page = audit_page(session, unit_query(options), from, limit);
  // Withheld entries are only links in the chain: `audit verify` uses them,
  // a reader has nothing to read in them.
  json::array shown;
  std::size_t withheld = 0;
  for (const json::value& entry : page.at("entries").as_array()) {
    if (entry_from(entry).withheld) {
      ++withheld;
    } else {
      shown.push_back(entry);
    }
  }
  print_results(options, shown, "no entries");
  if (withheld > 0) {
    std::cerr << "clueline: " << withheld
              << " entries of this range concern no unit of your subtree and were withheld\n";
  }
  return 0;
}

int verify_online(const CommandOptions& options) {
  std::optional<storage::AuditCheckpoint> checkpoint;
  storage::Bytes32 trusted{};
  if (options.has("--checkpoint")) {
    checkpoint = read_checkpoint_file(options.required("--checkpoint"));
    trusted = read_trusted_key_file(options.required("--trusted-key"));
  }
  SignedIn session = signed_in(options);
  storage::AuditHead recomputed;
  storage::AuditHead stated;
  std::size_t withheld = 0;
  std::optional<storage::Bytes32> at_checkpoint;
  std::string problem;
  std::uint64_t next = 1;
  for (;;) {
    const json::object page =
        audit_page(session, unit_query(options), next, services::kMaxAuditPage);
    const json::object& head = page.at("head").as_object();
    stated.seq = head.at("seq").to_number<std::uint64_t>();
    const json::array& entries = page.at("entries").as_array();
    for (const json::value& value : entries) {
      const auto [entry, entry_withheld] = entry_from(value);
      if (entry.seq != next) {
        problem = "gap in seq before " + std::to_string(entry.seq);
      } else if (entry.prev_hash != recomputed.hash) {
        problem = "prev link mismatch at seq " + std::to_string(entry.seq);
      } else if (!entry_withheld &&
                 storage::audit_hash(entry.seq, entry.record, entry.prev_hash) != entry.hash) {
        problem = "hash mismatch at seq " + std::to_string(entry.seq);
      }
      withheld += entry_withheld;
      if (!problem.empty()) break;
      recomputed = {entry.seq, entry.hash};
      if (checkpoint && entry.seq == checkpoint->seq) at_checkpoint = entry.hash;
      ++next;
    }
    if (!problem.empty() || entries.empty() || recomputed.seq >= stated.seq) {
      stated.hash = hash_from(head.at("hash"));
      break;
    }
  }
  if (problem.empty() && recomputed != stated) {
    problem = "the head the server states does not match the entries it sent";
  }
  json::object out{{"entries", recomputed.seq},
                   {"withheld", withheld},
                   {"head", audit_head_json(recomputed)},
                   {"intact", problem.empty()}};
  if (!problem.empty()) out["problem"] = problem;
  bool good = problem.empty();
  std::string complaint = problem.empty() ? "" : "the audit log is broken: " + problem;
  if (checkpoint) {
    json::object shown{{"seq", checkpoint->seq}, {"at", utc_text(checkpoint->at)}};
    std::string mismatch;
    if (!storage::verify_audit_checkpoint_signature(*checkpoint, trusted)) {
      mismatch = checkpoint_problem(*checkpoint, trusted, errc::authentication_failed);
    } else if (checkpoint->seq == 0 ? checkpoint->hash != storage::Bytes32{}
                                    : !at_checkpoint || *at_checkpoint != checkpoint->hash) {
      mismatch = at_checkpoint || checkpoint->seq == 0
                     ? checkpoint_problem(*checkpoint, trusted, errc::conflict)
                     : checkpoint_problem(*checkpoint, trusted, errc::not_found);
    }
    shown["matches"] = mismatch.empty();
    if (!mismatch.empty()) {
      shown["problem"] = mismatch;
      good = false;
      if (complaint.empty()) complaint = "the audit log does not match the checkpoint: " + mismatch;
    }
    out["checkpoint"] = std::move(shown);
  }
  print_result(options, out);
  if (!good) std::cerr << "clueline: " << complaint << '\n';
  return good ? 0 : 1;
}

int verify(std::span<char*> args) {
  const CommandOptions options(
      args, {"--data-dir", "--config", "--server", "--unit", "--checkpoint", "--trusted-key"});
  if (options.has("--checkpoint") != options.has("--trusted-key")) {
    throw UsageError("--checkpoint and --trusted-key go together");
  }
  if (options.has("--server")) return verify_online(options);
  if (options.has("--unit")) throw UsageError("--unit goes with --server");
  std::optional<storage::AuditCheckpoint> checkpoint;
  storage::Bytes32 trusted{};
  if (options.has("--checkpoint")) {
    checkpoint = read_checkpoint_file(options.required("--checkpoint"));
    trusted = read_trusted_key_file(options.required("--trusted-key"));
  }

  auto store = open_database(registry_data_dir(options), false);
  const auto verified = checked(storage::verify_audit(*store), "reading the audit log");
  json::object out{{"entries", verified.entries},
                   {"head", audit_head_json(verified.head)},
                   {"intact", verified.intact}};
  bool good = verified.intact;
  std::string complaint;
  if (!verified.intact) {
    out["first_bad_seq"] = verified.first_bad_seq;
    out["problem"] = verified.problem;
    complaint = "the audit log is broken at seq " + std::to_string(verified.first_bad_seq) + ": " +
                verified.problem;
  }
  if (checkpoint) {
    json::object shown{{"seq", checkpoint->seq},
                       {"hash", hex(checkpoint->hash)},
                       {"at", utc_text(checkpoint->at)}};
    const auto matched = storage::check_audit_checkpoint(*store, *checkpoint, trusted);
    shown["matches"] = static_cast<bool>(matched);
    if (!matched) {
      const std::string problem = checkpoint_problem(*checkpoint, trusted, matched.error());
      shown["problem"] = problem;
      good = false;
      if (complaint.empty()) complaint = "the audit log does not match the checkpoint: " + problem;
    }
    out["checkpoint"] = std::move(shown);
  }
  print_result(options, out);
  if (!good) std::cerr << "clueline: " << complaint << '\n';
  return good ? 0 : 1;
}

int list(std::span<char*> args) {
  const CommandOptions options(
      args, {"--data-dir", "--config", "--server", "--unit", "--from", "--limit"});
  if (options.has("--server")) return list_online(options);
  if (options.has("--unit")) throw UsageError("--unit goes with --server");
  const std::uint64_t from = parse_number(options.value_or("--from", "1"), "--from", 1,
                                          std::numeric_limits<std::uint64_t>::max());
  const std::size_t limit = parse_number(
      options.value_or("--limit", std::to_string(kDefaultListLimit)), "--limit", 1, kMaxListLimit);
  auto store = open_database(registry_data_dir(options), false);
  const auto entries = checked(storage::read_audit(*store, from, limit), "reading the audit log");
  json::array listed;
  for (const auto& entry : entries) listed.push_back(audit_entry_json(entry));
  print_results(options, listed, "no entries");
  return 0;
}

int checkpoint(std::span<char*> args) {
  const CommandOptions options(args, {"--data-dir", "--config", "--signing-key", "--out"});
  const auto key = read_signing_key_file(options.required("--signing-key"));
  const fs::path out = options.required("--out");
  // Checked early, so that nothing is opened for a checkpoint that cannot be
  // written; write_new_file below refuses a file that appears meanwhile.
  if (fs::exists(out)) {
    throw std::runtime_error(out.string() + ": already exists (checkpoints are never overwritten)");
  }
  auto store = open_database(registry_data_dir(options), false);
  const auto verified = checked(storage::verify_audit(*store), "reading the audit log");
  // Signing a broken chain would vouch for whatever broke it.
  if (!verified.intact) {
    throw std::runtime_error("the audit log is broken at seq " +
                             std::to_string(verified.first_bad_seq) + ": " + verified.problem +
                             "; not signing it");
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const auto signed_head = checked(
      storage::make_audit_checkpoint(verified.head, now, key.secret_key.bytes()), "signing");
  const std::string encoded = storage::encode(signed_head);
  write_new_file(out, encoded + "\n", 0644);
  // --json: the file's own line, as a script would read the file.
  if (json_output(options)) {
    std::cout << encoded << '\n';
  } else {
    print_result(options, json::object{{"checkpoint", out.string()},
                                       {"seq", signed_head.seq},
                                       {"hash", hex(signed_head.hash)},
                                       {"at", utc_text(signed_head.at)}});
  }
  return 0;
}

}  // namespace

int audit(std::span<char*> args) {
  if (args.empty()) throw UsageError("audit needs a subcommand: verify, list or checkpoint");
  const std::string_view subcommand = args[0];
  if (subcommand == "verify") return verify(args.subspan(1));
  if (subcommand == "list") return list(args.subspan(1));
  if (subcommand == "checkpoint") return checkpoint(args.subspan(1));
  throw UsageError("audit subcommand must be verify, list or checkpoint, not \"" +
                   std::string(subcommand) + "\"");
}

}  // namespace clueline::app
