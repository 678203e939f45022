// clueline audit verify|list|checkpoint: the audit log of a database whose
// server is stopped (docs/audit.md). Everything here reads; the only file
// written is a new checkpoint, which belongs to the auditor, not the server.
#include <boost/algorithm/hex.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>

#include "clueline/crypto/keys.hpp"
#include "clueline/storage/audit.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "options.hpp"
#include "registry.hpp"

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

json::object head_json(const storage::AuditHead& head) {
  return {{"seq", head.seq}, {"hash", hex(head.hash)}};
}

// The detail is printed as the exact text that was hashed, so that anyone
// can recompute the chain from this output (docs/audit.md).
json::object entry_json(const storage::AuditEntry& entry) {
  return {{"seq", entry.seq},
          {"at", entry.record.at},
          {"actor", entry.record.actor},
          {"action", entry.record.action},
          {"object", entry.record.object},
          {"detail", entry.record.detail},
          {"prev_hash", hex(entry.prev_hash)},
          {"hash", hex(entry.hash)}};
}

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

int verify(std::span<char*> args) {
  const CommandOptions options(args, {"--data-dir", "--config", "--checkpoint", "--trusted-key"});
  if (options.has("--checkpoint") != options.has("--trusted-key")) {
    throw UsageError("--checkpoint and --trusted-key go together");
  }
  std::optional<storage::AuditCheckpoint> checkpoint;
  storage::Bytes32 trusted{};
  if (options.has("--checkpoint")) {
    checkpoint = read_checkpoint_file(options.required("--checkpoint"));
    trusted = read_trusted_key_file(options.required("--trusted-key"));
  }

  auto store = open_database(registry_data_dir(options), false);
  const auto verified = checked(storage::verify_audit(*store), "reading the audit log");
  json::object out{{"entries", verified.entries},
                   {"head", head_json(verified.head)},
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
    json::object shown{
        {"seq", checkpoint->seq}, {"hash", hex(checkpoint->hash)}, {"at", checkpoint->at}};
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
  std::cout << json::serialize(out) << '\n';
  if (!good) std::cerr << "clueline: " << complaint << '\n';
  return good ? 0 : 1;
}

int list(std::span<char*> args) {
  const CommandOptions options(args, {"--data-dir", "--config", "--from", "--limit"});
  const std::uint64_t from = parse_number(options.value_or("--from", "1"), "--from", 1,
                                          std::numeric_limits<std::uint64_t>::max());
  const std::size_t limit = parse_number(
      options.value_or("--limit", std::to_string(kDefaultListLimit)), "--limit", 1, kMaxListLimit);
  auto store = open_database(registry_data_dir(options), false);
  const auto entries = checked(storage::read_audit(*store, from, limit), "reading the audit log");
  for (const auto& entry : entries) std::cout << json::serialize(entry_json(entry)) << '\n';
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
  std::cout << encoded << '\n';
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
