// The reference client against a running server (docs/api.md): submit a
// report over HTTPS, follow it up with the receipt; and, for a supervisor
// with the database at hand, open a stored clue with a unit secret key.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "client_commands.hpp"
#include "clueline/crypto/crypto.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"
#include "files.hpp"
#include "options.hpp"

namespace clueline::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace fs = std::filesystem;
using crypto::Bytes;

constexpr std::size_t kUploadPartBytes = std::size_t{1} << 20;  // docs/api.md

// A blocking HTTPS client for one server. Verifies the certificate against
// --ca-file (e.g. the demo's self-signed certificate) or the system store,
// and the host name against the URL.
class ApiClient {
 public:
  ApiClient(const std::string& base_url, const std::string& ca_file)
      : tls_(asio::ssl::context::tls_client) {
    auto url = boost::urls::parse_uri(base_url);
    if (!url || url->scheme() != "https" || url->host().empty()) {
      throw UsageError("--server must be an https:// URL, e.g. https://127.0.0.1:8443");
    }
    host_ = url->host();
    port_ = url->has_port() ? url->port() : "443";
    tls_.set_options(asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    if (ca_file.empty()) {
      tls_.set_default_verify_paths();
    } else {
      tls_.load_verify_file(ca_file);
    }
    tls_.set_verify_mode(asio::ssl::verify_peer);
  }

  struct Answer {
    unsigned status = 0;
    std::string body;
    json::value json() const {
      boost::system::error_code ec;
      json::value parsed = json::parse(body, ec);
      if (ec) throw std::runtime_error("the server answered " + std::to_string(status) + " with a non-JSON body");
      return parsed;
    }
  };

  Answer call(http::verb method, const std::string& target, std::string body = {},
              std::string_view content_type = {}, std::string_view bearer = {}) {
    if (!stream_) connect();
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, host_);
    request.set(http::field::user_agent, "clueline-cli");
    if (!content_type.empty()) request.set(http::field::content_type, content_type);
    if (!bearer.empty()) request.set(http::field::authorization, "Bearer " + std::string(bearer));
    request.body() = std::move(body);
    request.prepare_payload();
    http::write(*stream_, request);
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 << 20);
    http::read(*stream_, buffer_, parser);
    auto response = parser.release();
    if (!response.keep_alive()) stream_.reset();
    return {response.result_int(), std::move(response.body())};
  }

  // The JSON body of a 2xx answer; anything else is an error naming the
  // server's error code and message.
  json::object expect(const Answer& answer, const std::string& what) {
    if (answer.status / 100 != 2) {
      std::string detail = answer.body;
      boost::system::error_code ec;
      const json::value parsed = json::parse(answer.body, ec);
      if (!ec && parsed.is_object() && parsed.as_object().contains("error")) {
        const auto& error = parsed.at("error");
        detail = std::string(error.at("code").as_string()) + ": " +
                 std::string(error.at("message").as_string());
      }
      throw std::runtime_error(what + ": HTTP " + std::to_string(answer.status) + " " + detail);
    }
    return answer.json().as_object();
  }

 private:
  void connect() {
    asio::ip::tcp::resolver resolver(io_);
    stream_.emplace(io_, tls_);
    stream_->set_verify_callback(asio::ssl::host_name_verification(host_));
    SSL_set_tlsext_host_name(stream_->native_handle(), host_.c_str());
    beast::get_lowest_layer(*stream_).connect(resolver.resolve(host_, port_));
    stream_->handshake(asio::ssl::stream_base::client);
    buffer_.clear();
  }

  asio::io_context io_;
  asio::ssl::context tls_;
  std::string host_;
  std::string port_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
};

template <std::size_t N>
std::array<std::byte, N> decode_fixed(std::string_view text, const std::string& what) {
  const Bytes bytes = checked(crypto::from_base64url(text), what);
  if (bytes.size() != N) throw std::runtime_error(what + ": expected " + std::to_string(N) + " bytes");
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

int submit_online(const CommandOptions& options) {
  crypto::initialize();
  ApiClient client(options.required("--server"), options.value_or("--ca-file", ""));
  const std::string token = query_safe(options.required("--token"), "--token");
  const std::string category = query_safe(options.required("--category"), "--category");
  const std::string accused_level =
      query_safe(options.value_or("--accused-level", ""), "--accused-level");

  // The route names the keys to seal to and a fresh proof-of-work challenge.
  const json::object route = client.expect(
      client.call(http::verb::get, "/api/v1/route?site=" + token + "&category=" + category +
                                       "&accused_level=" + accused_level),
      "route");
  std::vector<crypto::BoxPublicKey> recipients;
  for (const auto& recipient : route.at("recipients").as_array()) {
    for (const auto& key : recipient.at("keys").as_array()) {
      recipients.push_back(
          {decode_fixed<32>(key.at("public_key").as_string(), "the route's public key")});
    }
  }
  const auto salt = decode_fixed<16>(route.at("receipt_salt").as_string(), "receipt_salt");

  crypto::EnvelopeHeader header;
  header.site_token = decode_fixed<crypto::kSiteTokenBytes>(token, "--token");
  header.category = category;
  header.accused_level = accused_level;
  const std::string receipt = crypto::generate_receipt();
  const auto receipt_keys = checked(crypto::derive_receipt_keys(receipt, salt), "receipt");
  header.reply_public_key = receipt_keys.reply_key_pair.public_key;
  header.receipt_lookup_hash = receipt_keys.lookup_hash;
  header.pow_challenge =
      decode_fixed<32>(route.at("pow").at("challenge").as_string(), "the route's challenge");
  header.pow_nonce = crypto::solve_pow(
      header.pow_challenge, static_cast<unsigned>(route.at("pow").at("difficulty").to_number<int>()));

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
      client.expect(client.call(http::verb::post, "/api/v1/reports", as_string(envelope),
                                "application/octet-stream"),
                    "report");
  const std::string session(received.at("session").as_string());
  for (std::size_t index = 0; index < streams.size(); ++index) {
    const Bytes& stream = streams[index];
    for (std::size_t offset = 0, part = 0; offset < stream.size(); offset += kUploadPartBytes, ++part) {
      const std::size_t size = std::min(kUploadPartBytes, stream.size() - offset);
      const bool final_part = offset + size == stream.size();
      const std::string target = "/api/v1/followup/attachments/" + std::to_string(index) + "/" +
                                 std::to_string(part) + (final_part ? "?final=1" : "");
      client.expect(client.call(http::verb::put, target,
                                as_string(std::span(stream).subspan(offset, size)),
                                "application/octet-stream", session),
                    "attachment " + std::to_string(index));
    }
  }
  std::cout << json::serialize(json::object{{"receipt", crypto::format_receipt(receipt)},
                                            {"clue_id", received.at("clue_id")},
                                            {"status", received.at("status")},
                                            {"acknowledge_by", received.at("acknowledge_by")},
                                            {"attachments", streams.size()}})
            << '\n';
  return 0;
}

int followup(std::span<char*> args) {
  const CommandOptions options(args, {"--server", "--ca-file", "--receipt", "--salt", "--token"});
  crypto::initialize();
  ApiClient client(options.required("--server"), options.value_or("--ca-file", ""));
  const std::string receipt = checked(crypto::normalize_receipt(options.required("--receipt")), "--receipt");
  if (options.has("--salt") == options.has("--token")) {
    throw UsageError("give the deployment's receipt salt with --salt, or a site code with --token");
  }
  // The salt is deployment-wide; any genuine site code's information has it.
  const std::string salt_text =
      options.has("--salt")
          ? options.required("--salt")
          : std::string(client
                            .expect(client.call(http::verb::get,
                                                "/api/v1/sites/" +
                                                    query_safe(options.required("--token"), "--token")),
                                    "site")
                            .at("receipt_salt")
                            .as_string());
  const auto salt = decode_fixed<16>(salt_text, "--salt");
  const auto keys = checked(crypto::derive_receipt_keys(receipt, salt), "receipt");
  const json::object session = client.expect(
      client.call(http::verb::post, "/api/v1/followup/session",
                  json::serialize(json::object{{"lookup_key", crypto::to_base64url(keys.lookup_key.bytes())}}),
                  "application/json"),
      "follow-up session");
  json::object status = client.expect(
      client.call(http::verb::get, "/api/v1/followup", {}, {}, std::string(session.at("session").as_string())),
      "follow-up");
  // Replies are sealed to the receipt's reply key: open them here.
  const auto clue_id = checked(crypto::from_base64url(status.at("clue_id").as_string()), "clue_id");
  for (auto& reply : status.at("replies").as_array()) {
    const Bytes payload = checked(crypto::from_base64url(reply.at("payload").as_string()), "reply");
    auto opened = crypto::open_payload(crypto::PayloadDomain::kReply, clue_id, payload,
                                       keys.reply_key_pair);
    reply.as_object()["text"] = opened ? json::value(as_string(opened->bytes())) : json::value(nullptr);
    reply.as_object().erase("payload");
  }
  std::cout << json::serialize(status) << '\n';
  return 0;
}

int open_stored(const CommandOptions& options) {
  crypto::initialize();
  const auto unit = checked(
      crypto::box_key_pair_from_secret(read_key_file(options.required("--secret-key-file"))),
      "--secret-key-file");
  const auto id = decode_fixed<16>(options.required("--clue"), "--clue");
  const fs::path data_dir = options.required("--data-dir");
  auto store = checked(storage::Store::open({.directory = data_dir / "rocksdb", .create_if_missing = false}),
                       "cannot open " + (data_dir / "rocksdb").string());
  const auto envelope = checked(store->get(storage::Family::kClues, storage::envelope_key(id)), "clue");
  const auto clue = checked(storage::decode_clue(checked(
                                store->get(storage::Family::kClues, storage::clue_key(id)), "clue")),
                            "clue record");
  const auto body = checked(crypto::open_envelope(crypto::as_bytes(envelope), unit),
                            "the clue does not open with this key");
  boost::system::error_code ec;
  json::value parsed = json::parse(as_string(body.bytes()), ec);
  if (ec || !parsed.is_object()) throw std::runtime_error("the report body is not a JSON object");

  if (options.has("--attachments-dir")) {
    const fs::path directory = options.required("--attachments-dir");
    fs::create_directories(directory);
    const auto* list = parsed.as_object().if_contains("attachments");
    for (std::size_t index = 0; list != nullptr && list->is_array() && index < list->as_array().size();
         ++index) {
      const auto& attachment = list->as_array()[index].as_object();
      const auto state = std::find_if(clue.attachments.begin(), clue.attachments.end(),
                                      [index](const storage::AttachmentState& s) { return s.index == index; });
      if (state == clue.attachments.end() || !state->complete) continue;  // never uploaded
      std::string stream;
      for (std::uint32_t part = 0; part < state->parts; ++part) {
        stream += checked(store->get(storage::Family::kClues,
                                     storage::attachment_part_key(id, static_cast<std::uint8_t>(index), part)),
                          "attachment part");
      }
      const Bytes key_bytes = checked(crypto::from_base64url(attachment.at("key").as_string()), "key");
      auto key = checked(crypto::SecureBuffer::allocate(key_bytes.size()), "key");
      std::copy(key_bytes.begin(), key_bytes.end(), key.data());
      const auto plaintext =
          checked(crypto::decrypt_attachment(crypto::as_bytes(stream), key), "attachment " + std::to_string(index));
      // The name comes from the reporter: keep only its last component.
      std::string name = fs::path(std::string(attachment.at("name").as_string())).filename().string();
      if (name.empty() || name == "." || name == "..") name = "attachment-" + std::to_string(index);
      write_file(directory / name, plaintext);
    }
  }
  std::cout << json::serialize(json::object{{"clue_id", options.required("--clue")},
                                            {"status", storage::status_name(clue.status)},
                                            {"category", clue.category},
                                            {"accused_level", clue.accused_level},
                                            {"body", std::move(parsed)}})
            << '\n';
  return 0;
}

}  // namespace clueline::app
