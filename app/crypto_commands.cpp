// keygen, submit and open: the reference client of the crypto protocol
// (docs/crypto-spec.md). Everything here runs on the operator's or the
// supervisor's machine; nothing is sent anywhere.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include "account_commands.hpp"
#include "client_commands.hpp"
#include "clue_commands.hpp"
#include "clueline/crypto/crypto.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "options.hpp"
#include "output.hpp"

namespace clueline::app {
namespace {

namespace fs = std::filesystem;
using crypto::Bytes;

// A recipient is a public key file or the base64url key itself.
crypto::BoxPublicKey recipient_key(const std::string& given) {
  const Bytes bytes = fs::exists(given) ? read_key_file(given)
                                        : checked(crypto::from_base64url(given), "--recipient");
  return checked(crypto::box_public_key_from(bytes), "--recipient " + given);
}

template <std::size_t N>
std::array<std::byte, N> fixed_size(const Bytes& bytes, const std::string& what) {
  if (bytes.size() != N) {
    throw UsageError(what + " must be " + std::to_string(N) + " bytes, got " +
                     std::to_string(bytes.size()));
  }
  std::array<std::byte, N> result;
  std::copy(bytes.begin(), bytes.end(), result.begin());
  return result;
}

std::string_view as_text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

fs::path attachment_path(const fs::path& envelope, std::size_t index) {
  return envelope.string() + ".attachment-" + std::to_string(index);
}

}  // namespace

int keygen(std::span<char*> args) {
  if (args.empty()) throw UsageError("keygen needs a kind: unit or site-signing");
  const std::string_view kind = args[0];
  const CommandOptions options(args.subspan(1), {"--out-dir", "--name"});
  const fs::path directory = options.required("--out-dir");
  create_private_directory(directory);  // a secret key goes in
  crypto::initialize();
  boost::json::object printed;
  if (kind == "unit") {
    const std::string name = options.value_or("--name", "unit");
    const auto pair = crypto::generate_box_key_pair();
    const std::string public_key = crypto::to_base64url(pair.public_key.bytes);
    write_new_file(directory / (name + ".key"),
                   crypto::to_base64url(pair.secret_key.bytes()) + "\n", 0600);
    write_new_file(directory / (name + ".pub"), public_key + "\n", 0644);
    printed = {{"kind", "unit"},
               {"public_key", public_key},
               {"key_id", crypto::to_base64url(crypto::key_id(pair.public_key))}};
  } else if (kind == "site-signing") {
    const std::string name = options.value_or("--name", "site-signing");
    const auto pair = crypto::generate_signing_key_pair();
    const std::string public_key = crypto::to_base64url(pair.public_key.bytes);
    write_new_file(directory / (name + ".key"),
                   crypto::to_base64url(pair.secret_key.bytes()) + "\n", 0600);
    write_new_file(directory / (name + ".pub"), public_key + "\n", 0644);
    printed = {{"kind", "site-signing"}, {"public_key", public_key}};
  } else {
    throw UsageError("keygen kind must be unit or site-signing, not \"" + std::string(kind) + "\"");
  }
  print_result(options, printed);
  return 0;
}

int submit(std::span<char*> args) {
  const CommandOptions options(args,
                               {"--token", "--category", "--accused-level", "--recipient", "--text",
                                "--text-file", "--attach", "--contact", "--salt", "--pow-challenge",
                                "--pow-difficulty", "--out", "--server", "--ca-file"},
                               {"--recipient", "--attach"});
  if (options.has("--text") == options.has("--text-file")) {
    throw UsageError("give exactly one of --text and --text-file");
  }
  if (options.has("--server")) {
    for (const char* offline :
         {"--recipient", "--salt", "--pow-challenge", "--pow-difficulty", "--out"}) {
      if (options.has(offline))
        throw UsageError(std::string(offline) + " is not used with --server");
    }
    return submit_online(options);
  }
  crypto::initialize();
  const fs::path out = options.required("--out");

  crypto::EnvelopeHeader header;
  header.site_token = fixed_size<crypto::kSiteTokenBytes>(
      checked(crypto::from_base64url(options.required("--token")), "--token"), "--token");
  header.category = options.required("--category");
  header.accused_level = options.value_or("--accused-level", "");

  std::vector<crypto::BoxPublicKey> recipients;
  for (const auto& given : options.all("--recipient")) recipients.push_back(recipient_key(given));
  if (recipients.empty()) throw UsageError("--recipient is required");

  // The receipt is the reporter's only handle on the report: derived keys
  // give the lookup hash the server indexes and the key replies are sealed to.
  const Bytes salt = checked(crypto::from_base64url(options.required("--salt")), "--salt");
  const std::string receipt = crypto::generate_receipt();
  const auto receipt_keys = checked(crypto::derive_receipt_keys(receipt, salt), "receipt");
  header.reply_public_key = receipt_keys.reply_key_pair.public_key;
  header.receipt_lookup_hash = receipt_keys.lookup_hash;

  if (options.has("--pow-challenge")) {
    header.pow_challenge = fixed_size<32>(
        checked(crypto::from_base64url(options.required("--pow-challenge")), "--pow-challenge"),
        "--pow-challenge");
  } else {
    crypto::random_bytes(header.pow_challenge);
  }
  const unsigned difficulty = static_cast<unsigned>(std::stoul(
      options.value_or("--pow-difficulty", std::to_string(crypto::kDefaultPowDifficulty))));
  if (difficulty > crypto::kMaxPowDifficulty) throw UsageError("--pow-difficulty is at most 32");
  header.pow_nonce = crypto::solve_pow(header.pow_challenge, difficulty);

  boost::json::object body{
      {"v", 1},
      {"text", options.has("--text") ? options.required("--text")
                                     : read_text(options.required("--text-file"))}};
  if (options.has("--contact")) body["contact"] = options.required("--contact");
  boost::json::array attachments;
  std::size_t index = 0;
  for (const auto& file : options.all("--attach")) {
    ++index;
    const Bytes content = read_bytes(file);
    const auto key = crypto::generate_attachment_key();
    write_file(attachment_path(out, index),
               checked(crypto::encrypt_attachment(content, key), file));
    attachments.push_back({{"id", "attachment-" + std::to_string(index)},
                           {"key", crypto::to_base64url(key.bytes())},
                           {"name", fs::path(file).filename().string()},
                           {"type", "application/octet-stream"},
                           {"size", content.size()}});
  }
  if (!attachments.empty()) body["attachments"] = std::move(attachments);

  const Bytes envelope =
      checked(crypto::seal_envelope(header, recipients, boost::json::serialize(body)), "envelope");
  write_file(out, envelope);
  print_result(options, boost::json::object{{"receipt", crypto::format_receipt(receipt)},
                                            {"envelope", out.string()},
                                            {"bytes", envelope.size()},
                                            {"attachments", index}});
  return 0;
}

int open(std::span<char*> args) {
  // `open ID ...`: the clue ID on the running server signed in to.
  std::vector<char*> rewritten;
  std::string clue_option = "--clue";
  if (!args.empty() && !std::string_view(args[0]).starts_with("--")) {
    rewritten = {clue_option.data(), args[0]};
    rewritten.insert(rewritten.end(), args.begin() + 1, args.end());
    rewritten.push_back(nullptr);
    args = std::span<char*>(rewritten.data(), rewritten.size() - 1);
  }
  const CommandOptions options(args,
                               {"--secret-key-file", "--in", "--attachments-dir", "--data-dir",
                                "--clue", "--passphrase-file", "--server"},
                               {}, {"--unlock"});
  if (options.has("--server") ||
      (options.has("--clue") && !options.has("--data-dir") && !options.has("--in"))) {
    if (options.has("--secret-key-file") || options.has("--data-dir") || options.has("--in")) {
      throw UsageError(
          "open ID reads the clue from the server signed in to, with the account's unit keys; "
          "--secret-key-file, --data-dir and --in are for sealed files and stopped servers");
    }
    return open_online(options);
  }
  if (options.has("--data-dir") || options.has("--clue")) {
    if (options.has("--in"))
      throw UsageError("give --in FILE, or --data-dir DIR --clue ID, not both");
    return open_stored(options);
  }
  crypto::initialize();
  const fs::path in = options.required("--in");
  if (options.has("--unlock") == options.has("--secret-key-file")) {
    throw UsageError(
        "give --secret-key-file FILE (a unit's .key), or --unlock to use the unit keys of the "
        "signed-in account (clueline login), unwrapped here with its passphrase");
  }
  std::vector<crypto::BoxKeyPair> keys;
  if (options.has("--unlock")) {
    keys = signed_in_unit_keys(options);
  } else {
    keys.push_back(checked(
        crypto::box_key_pair_from_secret(read_key_file(options.required("--secret-key-file"))),
        "--secret-key-file"));
  }
  const Bytes envelope = read_bytes(in);
  const auto parsed = checked(crypto::parse_envelope(envelope), in.string());
  std::optional<crypto::SecureBuffer> opened;
  for (const crypto::BoxKeyPair& unit : keys) {
    if (auto body = crypto::open_envelope(envelope, unit)) {
      opened = std::move(*body);
      break;
    }
  }
  if (!opened) {
    throw std::runtime_error(
        in.string() + ": not sealed to " +
        (options.has("--unlock") ? "any unit key of this account" : "this key"));
  }
  const crypto::SecureBuffer& body_bytes = *opened;
  const std::string_view body_text = as_text(body_bytes.bytes());

  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(body_text, ec);
  if (ec || !body.is_object()) throw std::runtime_error("the report body is not a JSON object");

  if (options.has("--attachments-dir")) {
    const fs::path directory = options.required("--attachments-dir");
    create_private_directory(directory);
    std::size_t index = 0;
    if (const auto* list = body.as_object().if_contains("attachments"); list && list->is_array()) {
      for (const auto& item : list->as_array()) {
        ++index;
        const auto& attachment = item.as_object();
        const Bytes key_bytes =
            checked(crypto::from_base64url(attachment.at("key").as_string()), "key");
        auto key = checked(crypto::SecureBuffer::allocate(key_bytes.size()), "key");
        std::copy(key_bytes.begin(), key_bytes.end(), key.data());
        const auto plaintext =
            checked(crypto::decrypt_attachment(read_bytes(attachment_path(in, index)), key),
                    "attachment " + std::to_string(index));
        // The name comes from the reporter: made safe and unique here.
        write_attachment(directory, attachment.at("name").as_string(), index - 1,
                         std::span<const std::byte>(plaintext.data(), plaintext.size()));
      }
    }
  }
  print_result(options, boost::json::object{{"category", parsed.header.category},
                                            {"accused_level", parsed.header.accused_level},
                                            {"body", std::move(body)}});
  return 0;
}

}  // namespace clueline::app
