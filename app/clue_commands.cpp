// clueline queue --server, open ID, ack, investigate, close, reopen,
// take-over, link-duplicate, reply, messages: a supervisor's client of the
// running server.
// Reports are decrypted here, with the unit keys the account's passphrase
// unwraps; the server only ever hands out sealed bytes.
#include "clue_commands.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "account_commands.hpp"
#include "client_commands.hpp"
#include "clueline/crypto/crypto.hpp"
#include "files.hpp"
#include "output.hpp"
#include "served_keys.hpp"
#include "session.hpp"

namespace clueline::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Method = server::ApiClient::Method;

// A clue id as the API writes them: 16 bytes in base64url.
std::string clue_id_of(const std::string& text, std::string_view what) {
  const auto bytes = crypto::from_base64url(text);
  if (!bytes || bytes->size() != 16) {
    throw UsageError(std::string(what) +
                     " must be a clue id (22 base64url characters, as the "
                     "queue prints it)");
  }
  return text;
}

// The clue id given first on the command line (`ack ID --server URL`), and
// the options after it.
struct Positional {
  std::string id;
  std::span<char*> rest;
};
Positional leading_id(std::span<char*> args, std::string_view command,
                      std::initializer_list<std::string_view> allowed) {
  if (args.empty() || std::string_view(args[0]).starts_with("--")) {
    // An unknown option is the first thing to say; then the missing id.
    const CommandOptions options(args, allowed);
    throw UsageError(std::string(command) + " needs the clue id first, e.g. clueline " +
                     std::string(command) + " ID");
  }
  return {clue_id_of(args[0], "the clue id"), args.subspan(1)};
}

std::string query_value(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

const std::vector<Column> kQueueColumns = {
    {"clue_id", "clue"},          {"relation", "relation"},   {"status", "status"},
    {"category", "category"},     {"site_id", "site"},        {"received_at", "received"},
    {"acknowledge_by", "ack by"}, {"handle_by", "handle by"}, {"escalations", "escalations"}};

// GET /api/v1/clues/ID (an audited opening): the clue object.
json::object fetch_clue(SignedIn& session, const std::string& id) {
  return call_json(session, Method::kGet, "/api/v1/clues/" + id, nullptr, "clue " + id)
      .at("clue")
      .as_object();
}

// A reporter message's plaintext, opened with whichever of `keys` it was
// sealed to; nullopt if none.
std::optional<std::string> open_message(const json::value& message,
                                        std::span<const std::byte> clue_id,
                                        const std::vector<crypto::BoxKeyPair>& keys) {
  const crypto::Bytes payload =
      checked(crypto::from_base64url(message.at("payload").as_string()), "message");
  for (const crypto::BoxKeyPair& unit : keys) {
    if (auto opened =
            crypto::open_payload(crypto::PayloadDomain::kMessage, clue_id, payload, unit)) {
      return std::string(reinterpret_cast<const char*>(opened->bytes().data()),
                         opened->bytes().size());
    }
  }
  return std::nullopt;
}

// A message that brought files (crypto-spec §4): {"v":1,"text":…,
// "attachments":[{"n",…}]}; null for plain text.
const json::object* files_message(const json::value& parsed) {
  if (!parsed.is_object()) return nullptr;
  const json::object& object = parsed.as_object();
  const json::value* version = object.if_contains("v");
  const json::value* text = object.if_contains("text");
  const json::value* files = object.if_contains("attachments");
  if (version == nullptr || !version->is_int64() || version->as_int64() != 1 || text == nullptr ||
      !text->is_string() || files == nullptr || !files->is_array()) {
    return nullptr;
  }
  return &object;
}

std::string as_text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The text to send: --text T, or the contents of --text-file F.
std::string text_to_send(const CommandOptions& options) {
  if (options.has("--text") == options.has("--text-file")) {
    throw UsageError("give the text with --text T or --text-file F");
  }
  std::string text = options.has("--text") ? options.required("--text")
                                           : read_text(options.required("--text-file"));
  if (text.empty()) throw UsageError("the text to send is empty");
  if (text.size() > crypto::kMaxPayloadPlaintext) {
    throw UsageError("the text is longer than " + std::to_string(crypto::kMaxPayloadPlaintext) +
                     " bytes");
  }
  return text;
}

// A fetched clue's envelope opened with one of `keys`, directly or through
// an entry a transfer added (crypto-spec §9.3).
struct OpenedClue {
  crypto::Bytes envelope;
  std::vector<crypto::PayloadRecipient> transferred;
  const crypto::BoxKeyPair* key = nullptr;  // the one that opened it
  crypto::SecureBuffer body;
};
OpenedClue open_fetched(const json::object& clue, const std::vector<crypto::BoxKeyPair>& keys,
                        const std::string& id) {
  OpenedClue opened;
  opened.envelope = checked(crypto::from_base64url(clue.at("envelope").as_string()), "envelope");
  if (const auto* entries = clue.if_contains("key_entries")) {
    for (const json::value& entry : entries->as_array()) {
      const crypto::Bytes bytes = checked(crypto::from_base64url(entry.as_string()), "key entry");
      if (bytes.size() != crypto::kRecipientEntryBytes) throw std::runtime_error("bad key entry");
      crypto::PayloadRecipient recipient{};
      std::copy_n(bytes.begin(), recipient.key_id.size(), recipient.key_id.begin());
      std::copy_n(bytes.begin() + crypto::kKeyIdBytes, recipient.sealed_key.size(),
                  recipient.sealed_key.begin());
      opened.transferred.push_back(recipient);
    }
  }
  for (const crypto::BoxKeyPair& unit : keys) {
    if (auto body = crypto::open_envelope(opened.envelope, unit, opened.transferred)) {
      opened.key = &unit;
      opened.body = std::move(*body);
      return opened;
    }
  }
  throw std::runtime_error("clue " + id +
                           ": not sealed to any unit key this account holds (a key of the "
                           "unit it was sealed to is needed)");
}

const std::vector<Column> kNoteColumns = {
    {"from", "from"}, {"seq", "#"}, {"sent_at", "sent"}, {"text", "text"}};

}  // namespace

int queue_online(const CommandOptions& options) {
  std::string query = "?limit=" + options.value_or("--limit", "50");
  if (options.has("--status")) query += "&status=" + query_value(options.required("--status"));
  if (options.has("--category")) {
    query += "&category=" + query_value(options.required("--category"));
  }
  if (options.has("--site")) {
    query += "&site=" + std::to_string(parse_id(options.required("--site"), "--site"));
  }
  if (options.has("--escalated") && options.has("--handled")) {
    throw UsageError("give --escalated or --handled, not both");
  }
  if (options.has("--escalated")) query += "&escalated=1";
  if (options.has("--handled")) query += "&escalated=0";
  if (options.has("--overdue")) query += "&overdue=1";
  SignedIn session = signed_in(options);
  json::array clues;
  std::string cursor;
  // Every page, unless --limit asked for one page only.
  for (;;) {
    const std::string target =
        "/api/v1/queue" + query + (cursor.empty() ? "" : "&cursor=" + cursor);
    const json::object page = call_json(session, Method::kGet, target, nullptr, "queue");
    for (const json::value& clue : page.at("clues").as_array()) clues.push_back(clue);
    const json::value& next = page.at("next_cursor");
    if (next.is_null() || options.has("--limit")) break;
    cursor = std::string(next.as_string());
  }
  print_table(options, clues, kQueueColumns, "no clues");
  return 0;
}

int open_online(const CommandOptions& options) {
  crypto::initialize();
  const std::string id = clue_id_of(options.required("--clue"), "--clue");
  SignedIn session = signed_in(options);
  const json::object clue = fetch_clue(session, id);
  const std::vector<crypto::BoxKeyPair> keys = signed_in_unit_keys(options);
  const OpenedClue opened = open_fetched(clue, keys, id);
  const std::string_view body_text(reinterpret_cast<const char*>(opened.body.data()),
                                   opened.body.size());
  boost::system::error_code ec;
  json::value body = json::parse(body_text, ec);
  if (ec || !body.is_object()) throw std::runtime_error("the report body is not a JSON object");

  json::array written;
  if (options.has("--attachments-dir")) {
    const fs::path directory = options.required("--attachments-dir");
    create_private_directory(directory);
    // Report files are numbered by their place in the body; files sent
    // later by the number their message gives (crypto-spec §4).
    std::map<std::size_t, json::object> described;
    if (const auto* list = body.as_object().if_contains("attachments"); list && list->is_array()) {
      for (std::size_t i = 0; i < list->as_array().size(); ++i) {
        if (list->as_array()[i].is_object()) described[i] = list->as_array()[i].as_object();
      }
    }
    const crypto::Bytes clue_bytes = checked(crypto::from_base64url(id), "clue id");
    for (const json::value& message : clue.at("reporter_messages").as_array()) {
      const auto text = open_message(message, clue_bytes, keys);
      if (!text) continue;
      boost::system::error_code parse_error;
      const json::value parsed = json::parse(*text, parse_error);
      const json::object* files = parse_error ? nullptr : files_message(parsed);
      if (files == nullptr) continue;
      for (const json::value& file : files->at("attachments").as_array()) {
        const json::value* n = file.is_object() ? file.as_object().if_contains("n") : nullptr;
        if (n != nullptr && n->is_int64() && n->as_int64() >= 0) {
          described[static_cast<std::size_t>(n->as_int64())] = file.as_object();
        }
      }
    }
    for (const json::value& state : clue.at("attachments").as_array()) {
      const std::size_t index = state.at("index").to_number<std::size_t>();
      if (!state.at("complete").as_bool() || !described.contains(index)) {
        continue;  // never fully uploaded, or named by no report or message
      }
      std::string stream;
      const auto parts = state.at("parts").to_number<std::uint32_t>();
      for (std::uint32_t part = 0; part < parts; ++part) {
        const auto answer =
            session.client.call({.method = Method::kGet,
                                 .target = "/api/v1/clues/" + id + "/attachments/" +
                                           std::to_string(index) + "/" + std::to_string(part),
                                 .bearer = session.saved.session});
        if (answer.status != 200) expect_json(answer, "attachment " + std::to_string(index));
        stream += answer.body;
      }
      const json::object& attachment = described.at(index);
      const crypto::Bytes key_bytes =
          checked(crypto::from_base64url(attachment.at("key").as_string()), "attachment key");
      auto key = checked(crypto::SecureBuffer::allocate(key_bytes.size()), "attachment key");
      std::copy(key_bytes.begin(), key_bytes.end(), key.data());
      const auto plaintext = checked(crypto::decrypt_attachment(crypto::as_bytes(stream), key),
                                     "attachment " + std::to_string(index));
      written.emplace_back(
          write_attachment(directory, attachment.at("name").as_string(), index, plaintext)
              .string());
    }
  }
  json::object shown{{"clue_id", id},
                     {"status", clue.at("status")},
                     {"relation", clue.at("relation")},
                     {"category", clue.at("category")},
                     {"accused_level", clue.at("accused_level")},
                     {"received_at", clue.at("received_at")},
                     {"transfer_targets", clue.at("transfer_targets")},
                     {"body", std::move(body)}};
  if (options.has("--attachments-dir")) shown["attachments_written"] = std::move(written);
  print_result(options, shown);
  return 0;
}

int clue_action(std::string_view command, std::span<char*> args) {
  const Positional positional = leading_id(args, command, {"--server", "--outcome", "--of"});
  const CommandOptions options(positional.rest, {"--server", "--outcome", "--of"});
  json::object body;
  if (command == "ack") {
    body["action"] = "acknowledge";
  } else if (command == "investigate") {
    body["action"] = "investigate";
  } else if (command == "close") {
    body["action"] = "close";
    body["outcome"] = options.required("--outcome");
  } else if (command == "reopen") {
    body["action"] = "reopen";
  } else if (command == "take-over") {
    body["action"] = "take_over";
  } else if (command == "link-duplicate") {
    body["action"] = "link_duplicate";
    body["duplicate_of"] = clue_id_of(options.required("--of"), "--of");
  } else {
    throw UsageError("unknown clue action " + std::string(command));
  }
  if (command != "close" && options.has("--outcome")) {
    throw UsageError("--outcome goes with close");
  }
  if (command != "link-duplicate" && options.has("--of")) {
    throw UsageError("--of goes with link-duplicate");
  }
  SignedIn session = signed_in(options);
  const json::object answer =
      call_json(session, Method::kPost, "/api/v1/clues/" + positional.id + "/actions", &body,
                std::string(command) + " " + positional.id);
  const json::object& clue = answer.at("clue").as_object();
  print_result(options, json::object{{"clue_id", clue.at("clue_id")},
                                     {"status", clue.at("status")},
                                     {"outcome", clue.at("outcome")},
                                     {"unit_id", clue.at("unit_id")},
                                     {"acknowledge_by", clue.at("acknowledge_by")},
                                     {"handle_by", clue.at("handle_by")}});
  return 0;
}

}  // namespace clueline::app

namespace clueline::app {

int reply(std::span<char*> args) {
  const Positional positional = leading_id(args, "reply", {"--server", "--text", "--text-file"});
  const CommandOptions options(positional.rest, {"--server", "--text", "--text-file"});
  const std::string text = text_to_send(options);
  crypto::initialize();
  SignedIn session = signed_in(options);
  // Sealed here to the reporter's reply key alone: the server stores bytes
  // it cannot open (crypto-spec §4).
  const json::object clue = fetch_clue(session, positional.id);
  const crypto::Bytes reply_key =
      checked(crypto::from_base64url(clue.at("reply_public_key").as_string()), "reply_public_key");
  const crypto::Bytes clue_id = checked(crypto::from_base64url(positional.id), "clue id");
  if (reply_key.size() != crypto::kBoxPublicKeyBytes) {
    throw std::runtime_error("the clue's reply key is not 32 bytes");
  }
  crypto::BoxPublicKey reporter{};
  std::copy(reply_key.begin(), reply_key.end(), reporter.bytes.begin());
  const std::array recipients{reporter};
  const crypto::Bytes sealed = checked(crypto::seal_payload(crypto::PayloadDomain::kReply, clue_id,
                                                            recipients, crypto::as_bytes(text)),
                                       "reply");
  const auto answer = session.client.call({.method = Method::kPost,
                                           .target = "/api/v1/clues/" + positional.id + "/replies",
                                           .body = as_text(sealed),
                                           .content_type = "application/octet-stream",
                                           .bearer = session.saved.session});
  const json::object stored = expect_json(answer, "reply to " + positional.id);
  print_result(options, json::object{{"clue_id", positional.id},
                                     {"seq", stored.at("seq")},
                                     {"sent_at", stored.at("sent_at")}});
  return 0;
}

int messages(std::span<char*> args) {
  const Positional positional = leading_id(args, "messages", {"--server", "--passphrase-file"});
  const CommandOptions options(positional.rest, {"--server", "--passphrase-file"});
  crypto::initialize();
  SignedIn session = signed_in(options);
  const json::object clue = fetch_clue(session, positional.id);
  const crypto::Bytes clue_id = checked(crypto::from_base64url(positional.id), "clue id");
  const std::vector<crypto::BoxKeyPair> keys = signed_in_unit_keys(options);
  json::array notes;
  for (const json::value& message : clue.at("reporter_messages").as_array()) {
    json::value text = "(sealed to keys this account does not hold)";
    if (const auto opened = open_message(message, clue_id, keys)) {
      text = *opened;
      boost::system::error_code parse_error;
      const json::value parsed = json::parse(*opened, parse_error);
      if (const json::object* files = parse_error ? nullptr : files_message(parsed)) {
        // The text, then the files it brought (open --attachments-dir
        // decrypts them).
        std::string shown(files->at("text").as_string());
        for (const json::value& file : files->at("attachments").as_array()) {
          const json::value* name =
              file.is_object() ? file.as_object().if_contains("name") : nullptr;
          shown += std::string(shown.empty() ? "" : "\n") + "[file: " +
                   (name != nullptr && name->is_string() ? std::string(name->as_string())
                                                         : std::string("unnamed")) +
                   "]";
        }
        text = shown;
      }
    }
    notes.push_back(json::object{{"from", "reporter"},
                                 {"seq", message.at("seq")},
                                 {"sent_at", message.at("sent_at")},
                                 {"text", std::move(text)}});
  }
  // Replies are sealed to the reporter alone: only their number and time
  // show here.
  for (const json::value& sent : clue.at("unit_replies").as_array()) {
    notes.push_back(json::object{{"from", "unit"},
                                 {"seq", sent.at("seq")},
                                 {"sent_at", sent.at("sent_at")},
                                 {"text", "(sealed to the reporter)"}});
  }
  std::stable_sort(notes.begin(), notes.end(), [](const json::value& a, const json::value& b) {
    return a.at("sent_at").as_string() < b.at("sent_at").as_string();
  });
  print_table(options, notes, kNoteColumns, "no messages");
  return 0;
}

}  // namespace clueline::app

namespace clueline::app {

int move(std::string_view command, std::span<char*> args) {
  const Positional positional =
      leading_id(args, command, {"--server", "--to", "--reason", "--passphrase-file"});
  const CommandOptions options(positional.rest,
                               {"--server", "--to", "--reason", "--passphrase-file"});
  const bool transfer = command == "transfer";
  json::object body{{"action", transfer ? "transfer" : "recuse"},
                    {"reason", options.required("--reason")}};
  if (transfer) {
    body["to"] = parse_id(options.required("--to"), "--to");
  } else if (options.has("--to")) {
    throw UsageError("recuse takes no --to: the routing rules decide where the clue goes");
  }
  crypto::initialize();
  SignedIn session = signed_in(options);
  const std::string target = "/api/v1/clues/" + positional.id + "/actions";
  auto answer = session.client.call({.method = Method::kPost,
                                     .target = target,
                                     .body = json::serialize(body),
                                     .content_type = "application/json",
                                     .bearer = session.saved.session});
  if (answer.status == 409) {
    boost::system::error_code ec;
    const json::value problem = json::parse(answer.body, ec);
    if (!ec && problem.is_object() && problem.as_object().contains("unit")) {
      // The new unit cannot open the clue: seal the data key to its current
      // keys here, after opening the clue (so the key is the real one).
      const json::object clue = fetch_clue(session, positional.id);
      const std::vector<crypto::BoxKeyPair> keys = signed_in_unit_keys(options);
      const OpenedClue opened = open_fetched(clue, keys, positional.id);
      const auto parsed = checked(crypto::parse_envelope(opened.envelope), "envelope");
      const auto payload = std::span(opened.envelope).subspan(parsed.context.size());
      const crypto::SecureBuffer data_key =
          checked(crypto::open_data_key(payload, *opened.key, opened.transferred), "data key");
      // The envelope just opened names the poster, and so the deployment
      // key, in its authenticated header: the anchor for the new unit's
      // certificates, as the reporter's own client checked them.
      const std::optional<std::uint32_t> expected =
          transfer ? std::optional<std::uint32_t>(body.at("to").to_number<std::uint32_t>())
                   : std::nullopt;
      const std::vector<crypto::BoxPublicKey> recipients = certified_keys(
          problem.at("unit"), {.id_field = "id", .expected = expected, .check_parent = true},
          anchored_deployment_key(problem.as_object(), parsed.header.site_token), unix_now());
      json::array entries;
      for (const crypto::BoxPublicKey& recipient : recipients) {
        const crypto::PayloadRecipient entry = crypto::reseal_data_key(data_key, recipient);
        std::string bytes(reinterpret_cast<const char*>(entry.key_id.data()), entry.key_id.size());
        bytes.append(reinterpret_cast<const char*>(entry.sealed_key.data()),
                     entry.sealed_key.size());
        entries.push_back(json::value(crypto::to_base64url(crypto::as_bytes(bytes))));
      }
      body["key_entries"] = std::move(entries);
      answer = session.client.call({.method = Method::kPost,
                                    .target = target,
                                    .body = json::serialize(body),
                                    .content_type = "application/json",
                                    .bearer = session.saved.session});
    }
  }
  const json::object moved =
      expect_json(answer, std::string(command) + " " + positional.id).at("clue").as_object();
  print_result(options, json::object{{"clue_id", moved.at("clue_id")},
                                     {"status", moved.at("status")},
                                     {"unit_id", moved.at("unit_id")},
                                     {"acknowledge_by", moved.at("acknowledge_by")}});
  return 0;
}

}  // namespace clueline::app

namespace clueline::app {

int stats(std::span<char*> args) {
  const CommandOptions options(args, {"--server", "--unit", "--from", "--to", "--by", "--csv"}, {},
                               {"--csv"});
  std::string query = "?by=" + query_value(options.value_or("--by", "site"));
  if (options.has("--unit")) {
    query += "&unit=" + std::to_string(parse_id(options.required("--unit"), "--unit"));
  }
  if (options.has("--from")) query += "&from=" + query_value(options.required("--from"));
  if (options.has("--to")) query += "&to=" + query_value(options.required("--to"));
  if (options.has("--csv") && options.has("--json")) throw UsageError("give --csv or --json");
  SignedIn session = signed_in(options);
  if (options.has("--csv")) {
    const auto answer = session.client.call({.method = Method::kGet,
                                             .target = "/api/v1/stats" + query + "&format=csv",
                                             .bearer = session.saved.session});
    if (answer.status != 200) expect_json(answer, "statistics");
    std::cout << answer.body;
    return 0;
  }
  const json::object report =
      call_json(session, Method::kGet, "/api/v1/stats" + query, nullptr, "statistics");
  const std::string by(report.at("by").as_string());
  json::array rows = report.at("rows").as_array();
  json::object total = report.at("total").as_object();
  total["value"] = "total";
  total["label"] = std::string(report.at("from").as_string()) + " to " +
                   std::string(report.at("to").as_string());
  rows.push_back(std::move(total));
  print_table(options, rows,
              {{"value", by},
               {"label", "name"},
               {"clues", "clues"},
               {"escalated", "escalated"},
               {"overdue", "overdue"}},
              "no clues");
  return 0;
}

}  // namespace clueline::app
