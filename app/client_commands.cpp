// The reference client against a running server (docs/api.md): submit a
// report over HTTPS, follow it up with the receipt; and, for a supervisor
// with the database at hand, open a stored clue with a unit secret key.
#include "client_commands.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "clueline/crypto/crypto.hpp"
#include "clueline/server/api_client.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"
#include "files.hpp"
#include "options.hpp"
#include "output.hpp"
#include "served_keys.hpp"

namespace clueline::app {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using crypto::Bytes;

constexpr std::size_t kUploadPartBytes = std::size_t{1} << 20;  // docs/api.md

using Method = server::ApiClient::Method;

server::ApiClient connect_to(const CommandOptions& options) {
  try {
    return server::ApiClient(options.required("--server"), options.value_or("--ca-file", ""));
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--server: ") + e.what());
  }
}

template <std::size_t N>
std::array<std::byte, N> decode_fixed(std::string_view text, const std::string& what) {
  const Bytes bytes = checked(crypto::from_base64url(text), what);
  if (bytes.size() != N)
    throw std::runtime_error(what + ": expected " + std::to_string(N) + " bytes");
  std::array<std::byte, N> out;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

std::string as_string(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The query value: category and level are [a-z0-9_] and a token is
// base64url, so nothing needs escaping; anything else is refused.
const std::string& query_safe(const std::string& value, const std::string& what) {
  const bool safe = std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  if (!safe) throw UsageError(what + " may hold only letters, digits, '_' and '-'");
  return value;
}

}  // namespace

// Uploads an encrypted attachment stream as attachment `index`, in parts.
void upload_attachment(server::ApiClient& client, const std::string& session, std::size_t index,
                       const Bytes& stream) {
  for (std::size_t offset = 0, part = 0; offset < stream.size();
       offset += kUploadPartBytes, ++part) {
    const std::size_t size = std::min(kUploadPartBytes, stream.size() - offset);
    const bool final_part = offset + size == stream.size();
    const std::string target = "/api/v1/followup/attachments/" + std::to_string(index) + "/" +
                               std::to_string(part) + (final_part ? "?final=1" : "");
    expect_json(client.call({.method = Method::kPut,
                             .target = target,
                             .body = as_string(std::span(stream).subspan(offset, size)),
                             .content_type = "application/octet-stream",
                             .bearer = session}),
                "attachment " + std::to_string(index));
  }
}

int submit_online(const CommandOptions& options) {
  crypto::initialize();
  server::ApiClient client = connect_to(options);
  const std::string token = query_safe(options.required("--token"), "--token");
  const std::string category = query_safe(options.required("--category"), "--category");
  const std::string accused_level =
      query_safe(options.value_or("--accused-level", ""), "--accused-level");

  // The route names the keys to seal to and a fresh proof-of-work challenge.
  const json::object route =
      expect_json(client.call({.method = Method::kGet,
                               .target = "/api/v1/route?site=" + token + "&category=" + category +
                                         "&accused_level=" + accused_level}),
                  "route");
  const auto token_bytes = decode_fixed<crypto::kSiteTokenBytes>(token, "--token");
  const crypto::SigningPublicKey deployment_key = anchored_deployment_key(route, token_bytes);
  std::vector<crypto::BoxPublicKey> recipients;
  for (const auto& recipient : route.at("recipients").as_array()) {
    for (const auto& key :
         certified_keys(recipient, {.id_field = "unit_id"}, deployment_key, unix_now())) {
      recipients.push_back(key);
    }
  }
  const auto salt = decode_fixed<16>(route.at("receipt_salt").as_string(), "receipt_salt");

  crypto::EnvelopeHeader header;
  header.site_token = token_bytes;
  header.category = category;
  header.accused_level = accused_level;
  const std::string receipt = crypto::generate_receipt();
  const auto receipt_keys = checked(crypto::derive_receipt_keys(receipt, salt), "receipt");
  header.reply_public_key = receipt_keys.reply_key_pair.public_key;
  header.receipt_lookup_hash = receipt_keys.lookup_hash;
  header.pow_challenge =
      decode_fixed<32>(route.at("pow").at("challenge").as_string(), "the route's challenge");
  header.pow_nonce =
      crypto::solve_pow(header.pow_challenge,
                        static_cast<unsigned>(route.at("pow").at("difficulty").to_number<int>()));

  json::object body{{"v", 1},
                    {"text", options.has("--text") ? options.required("--text")
                                                   : read_text(options.required("--text-file"))}};
  if (options.has("--contact")) body["contact"] = options.required("--contact");
  // Attachments are encrypted here and uploaded after the report, with the
  // session its answer carries; their keys travel inside the sealed body.
  std::vector<Bytes> streams;
  json::array attachments;
  for (const auto& file : options.all("--attach")) {
    const Bytes content = read_bytes(file);
    const auto key = crypto::generate_attachment_key();
    streams.push_back(checked(crypto::encrypt_attachment(content, key), file));
    attachments.push_back({{"id", "attachment-" + std::to_string(streams.size() - 1)},
                           {"key", crypto::to_base64url(key.bytes())},
                           {"name", fs::path(file).filename().string()},
                           {"type", "application/octet-stream"},
                           {"size", content.size()}});
  }
  if (!attachments.empty()) body["attachments"] = std::move(attachments);
  const Bytes envelope =
      checked(crypto::seal_envelope(header, recipients, json::serialize(body)), "envelope");

  const json::object received =
      expect_json(client.call({.method = Method::kPost,
                               .target = "/api/v1/reports",
                               .body = as_string(envelope),
                               .content_type = "application/octet-stream"}),
                  "report");
  const std::string session(received.at("session").as_string());
  for (std::size_t index = 0; index < streams.size(); ++index) {
    upload_attachment(client, session, index, streams[index]);
  }
  print_result(options, json::object{{"receipt", crypto::format_receipt(receipt)},
                                     {"clue_id", received.at("clue_id")},
                                     {"status", received.at("status")},
                                     {"acknowledge_by", received.at("acknowledge_by")},
                                     {"attachments", streams.size()}});
  return 0;
}

namespace {

// Seals `text` to the handling unit and stores it; seals again once if the
// server names other keys (the clue moved since the status was read).
// Every key is checked against the poster's token first (crypto-spec §3.1).
json::object send_followup_message(server::ApiClient& client, const std::string& session,
                                   std::span<const std::byte> clue_id, json::object followup,
                                   const std::string& token, const std::string& text) {
  for (int attempt = 0;; ++attempt) {
    const json::value* unit = followup.if_contains("unit");
    if (unit == nullptr) throw std::runtime_error("the follow-up names no unit to write to");
    const auto keys = certified_keys(
        *unit, {.id_field = "id"},
        anchored_deployment_key(followup, decode_fixed<crypto::kSiteTokenBytes>(token, "--token")),
        unix_now());
    const Bytes sealed = checked(crypto::seal_payload(crypto::PayloadDomain::kMessage, clue_id,
                                                      keys, crypto::as_bytes(text)),
                                 "message");
    const auto answer = client.call({.method = Method::kPost,
                                     .target = "/api/v1/followup/messages",
                                     .body = as_string(sealed),
                                     .content_type = "application/octet-stream",
                                     .bearer = session});
    if (answer.status == 409 && attempt == 0) {
      boost::system::error_code ec;
      const json::value problem = json::parse(answer.body, ec);
      if (!ec && problem.is_object() && problem.as_object().contains("unit")) {
        followup = problem.as_object();
        continue;
      }
    }
    return expect_json(answer, "message");
  }
}

}  // namespace

int followup(std::span<char*> args) {
  const CommandOptions options(
      args, {"--server", "--ca-file", "--receipt", "--salt", "--token", "--message", "--attach"},
      {"--attach"});
  crypto::initialize();
  server::ApiClient client = connect_to(options);
  const std::string receipt =
      checked(crypto::normalize_receipt(options.required("--receipt")), "--receipt");
  if (!options.has("--salt") && !options.has("--token")) {
    throw UsageError("give the deployment's receipt salt with --salt, or a site code with --token");
  }
  if (options.has("--attach") && !options.has("--message")) {
    throw UsageError("--attach goes with --message (its keys travel in the sealed message)");
  }
  if (options.has("--message") && !options.has("--token")) {
    throw UsageError(
        "--message needs --token (any poster's code of the deployment): it is what proves the "
        "unit's key genuine");
  }
  // The salt is deployment-wide; any genuine site code's information has it
  // (a withdrawn poster's code answers 410: give --salt with it then).
  const std::string salt_text =
      options.has("--salt")
          ? options.required("--salt")
          : std::string(expect_json(client.call({.method = Method::kGet,
                                                 .target = "/api/v1/sites/" +
                                                           query_safe(options.required("--token"),
                                                                      "--token")}),
                                    "site")
                            .at("receipt_salt")
                            .as_string());
  const auto salt = decode_fixed<16>(salt_text, "--salt");
  const auto keys = checked(crypto::derive_receipt_keys(receipt, salt), "receipt");
  // The session's proof of work, at the price the server asks now.
  const json::object offered =
      expect_json(client.call({.method = Method::kGet, .target = "/api/v1/followup/challenge"}),
                  "follow-up challenge");
  const json::object& pow = offered.at("pow").as_object();
  const auto challenge = decode_fixed<32>(pow.at("challenge").as_string(), "challenge");
  // solve_pow refuses a difficulty above 32.
  const crypto::PowNonce nonce =
      crypto::solve_pow(challenge, pow.at("difficulty").to_number<unsigned>());
  const json::object session =
      expect_json(client.call({.method = Method::kPost,
                               .target = "/api/v1/followup/session",
                               .body = json::serialize(json::object{
                                   {"lookup_key", crypto::to_base64url(keys.lookup_key.bytes())},
                                   {"pow", json::object{{"challenge", pow.at("challenge")},
                                                        {"nonce", crypto::to_base64url(nonce)}}}}),
                               .content_type = "application/json"}),
                  "follow-up session");
  json::object status =
      expect_json(client.call({.method = Method::kGet,
                               .target = "/api/v1/followup",
                               .bearer = std::string(session.at("session").as_string())}),
                  "follow-up");
  // Replies are sealed to the receipt's reply key: open them here.
  const auto clue_id = checked(crypto::from_base64url(status.at("clue_id").as_string()), "clue_id");
  for (auto& reply : status.at("replies").as_array()) {
    const Bytes payload = checked(crypto::from_base64url(reply.at("payload").as_string()), "reply");
    auto opened =
        crypto::open_payload(crypto::PayloadDomain::kReply, clue_id, payload, keys.reply_key_pair);
    reply.as_object()["text"] =
        opened ? json::value(as_string(opened->bytes())) : json::value(nullptr);
    reply.as_object().erase("payload");
  }
  if (options.has("--message")) {
    std::string text = options.required("--message");
    if (text.empty() && !options.has("--attach")) {
      throw UsageError("--message needs the text to send");
    }
    const std::string bearer(session.at("session").as_string());
    if (options.has("--attach")) {
      // More files: uploaded first after every attachment the clue has,
      // then named with their keys in the sealed message (crypto-spec §4).
      std::size_t next = 0;
      for (const json::value& known : status.at("attachments").as_array()) {
        next = std::max(next, known.at("n").to_number<std::size_t>() + 1);
      }
      json::array files;
      for (const std::string& file : options.all("--attach")) {
        const Bytes content = read_bytes(file);
        const auto key = crypto::generate_attachment_key();
        upload_attachment(client, bearer, next,
                          checked(crypto::encrypt_attachment(content, key), file));
        files.push_back({{"n", next},
                         {"id", "attachment-" + std::to_string(next)},
                         {"key", crypto::to_base64url(key.bytes())},
                         {"name", fs::path(file).filename().string()},
                         {"type", "application/octet-stream"},
                         {"size", content.size()}});
        ++next;
      }
      text = json::serialize(json::object{{"v", 1}, {"text", text}, {"attachments", files}});
    }
    status["message_sent"] =
        send_followup_message(client, bearer, clue_id, status, options.required("--token"), text);
  }
  print_result(options, status);
  return 0;
}

int open_stored(const CommandOptions& options) {
  crypto::initialize();
  const auto unit = checked(
      crypto::box_key_pair_from_secret(read_key_file(options.required("--secret-key-file"))),
      "--secret-key-file");
  const auto id = decode_fixed<16>(options.required("--clue"), "--clue");
  const fs::path data_dir = options.required("--data-dir");
  auto store =
      checked(storage::Store::open({.directory = data_dir / "rocksdb", .create_if_missing = false}),
              "cannot open " + (data_dir / "rocksdb").string());
  const auto envelope =
      checked(store->get(storage::Family::kClues, storage::envelope_key(id)), "clue");
  const auto clue =
      checked(storage::decode_clue(
                  checked(store->get(storage::Family::kClues, storage::clue_key(id)), "clue")),
              "clue record");
  const auto body = checked(crypto::open_envelope(crypto::as_bytes(envelope), unit),
                            "the clue does not open with this key");
  boost::system::error_code ec;
  json::value parsed = json::parse(as_string(body.bytes()), ec);
  if (ec || !parsed.is_object()) throw std::runtime_error("the report body is not a JSON object");

  if (options.has("--attachments-dir")) {
    const fs::path directory = options.required("--attachments-dir");
    create_private_directory(directory);
    const auto* list = parsed.as_object().if_contains("attachments");
    for (std::size_t index = 0;
         list != nullptr && list->is_array() && index < list->as_array().size(); ++index) {
      const auto& attachment = list->as_array()[index].as_object();
      const auto state =
          std::find_if(clue.attachments.begin(), clue.attachments.end(),
                       [index](const storage::AttachmentState& s) { return s.index == index; });
      if (state == clue.attachments.end() || !state->complete) continue;  // never uploaded
      std::string stream;
      for (std::uint32_t part = 0; part < state->parts; ++part) {
        stream += checked(
            store->get(storage::Family::kClues,
                       storage::attachment_part_key(id, static_cast<std::uint8_t>(index), part)),
            "attachment part");
      }
      const Bytes key_bytes =
          checked(crypto::from_base64url(attachment.at("key").as_string()), "key");
      auto key = checked(crypto::SecureBuffer::allocate(key_bytes.size()), "key");
      std::copy(key_bytes.begin(), key_bytes.end(), key.data());
      const auto plaintext = checked(crypto::decrypt_attachment(crypto::as_bytes(stream), key),
                                     "attachment " + std::to_string(index));
      // The name comes from the reporter: made safe and unique here.
      write_attachment(directory, attachment.at("name").as_string(), index, plaintext);
    }
  }
  print_result(options, json::object{{"clue_id", options.required("--clue")},
                                     {"status", storage::status_name(clue.status)},
                                     {"category", clue.category},
                                     {"accused_level", clue.accused_level},
                                     {"body", std::move(parsed)}});
  return 0;
}

json::object expect_json(const server::ApiClient::Answer& answer, const std::string& what) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(answer.body, ec);
  if (answer.status / 100 != 2) {
    std::string detail = "(no error body)";
    if (!ec && parsed.is_object() && parsed.as_object().contains("error")) {
      const auto& error = parsed.at("error");
      detail = std::string(error.at("code").as_string()) + ": " +
               std::string(error.at("message").as_string());
    }
    throw std::runtime_error(what + ": HTTP " + std::to_string(answer.status) + " " + detail);
  }
  if (ec || !parsed.is_object()) {
    throw std::runtime_error(what + ": the server answered " + std::to_string(answer.status) +
                             " without a JSON object");
  }
  return parsed.as_object();
}

}  // namespace clueline::app
