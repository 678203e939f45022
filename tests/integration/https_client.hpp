// A blocking HTTPS keep-alive client for the integration tests: trusts
// exactly the test server's certificate and reconnects when the server
// closes the connection.
#pragma once

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/pow.hpp"

namespace clueline::testing {

class HttpsClient {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  HttpsClient(const std::filesystem::path& certificate, std::uint16_t port)
      : context_(boost::asio::ssl::context::tls_client), port_(port) {
    context_.load_verify_file(certificate.string());
    context_.set_verify_mode(boost::asio::ssl::verify_peer);
  }

  // One request; `content_type` and `authorization` are set when non-empty.
  // Throws boost::system::system_error when the connection fails.
  Response request(boost::beast::http::verb method, const std::string& target,
                   const std::string& body = {}, const std::string& content_type = {},
                   const std::string& authorization = {},
                   const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    namespace http = boost::beast::http;
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "localhost");
    if (!content_type.empty()) request.set(http::field::content_type, content_type);
    if (!authorization.empty()) request.set(http::field::authorization, authorization);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    for (int attempt = 0;; ++attempt) {
      try {
        if (!stream_) connect();
        http::write(*stream_, request);
        Response response;
        http::read(*stream_, buffer_, response);
        if (!response.keep_alive()) stream_.reset();
        return response;
      } catch (const boost::system::system_error&) {
        stream_.reset();
        buffer_.clear();
        if (attempt == 1) throw;
      }
    }
  }

  Response get(const std::string& target, const std::string& authorization = {}) {
    return request(boost::beast::http::verb::get, target, {}, {}, authorization);
  }
  Response post_bytes(const std::string& target, const std::string& body,
                      const std::string& authorization = {}) {
    return request(boost::beast::http::verb::post, target, body, "application/octet-stream",
                   authorization);
  }
  Response post_json(const std::string& target, const std::string& body) {
    return request(boost::beast::http::verb::post, target, body, "application/json");
  }

  // What a phone does to open a follow-up session: fetches a session
  // challenge, solves it and posts it with `lookup_key`. Answers the POST.
  Response open_followup_session(std::span<const std::byte> lookup_key) {
    const boost::json::value offered = json(get("/api/v1/followup/challenge"));
    const boost::json::object& pow = offered.at("pow").as_object();
    const auto challenge_bytes = crypto::from_base64url(pow.at("challenge").as_string());
    crypto::PowChallenge challenge{};
    if (challenge_bytes && challenge_bytes->size() == challenge.size()) {
      std::copy(challenge_bytes->begin(), challenge_bytes->end(), challenge.begin());
    }
    const crypto::PowNonce nonce =
        crypto::solve_pow(challenge, pow.at("difficulty").to_number<unsigned>());
    return post_json("/api/v1/followup/session",
                     boost::json::serialize(boost::json::object{
                         {"lookup_key", crypto::to_base64url(lookup_key)},
                         {"pow", boost::json::object{{"challenge", pow.at("challenge")},
                                                     {"nonce", crypto::to_base64url(nonce)}}}}));
  }

  static boost::json::value json(const Response& response) {
    return boost::json::parse(response.body());
  }

 private:
  void connect() {
    namespace asio = boost::asio;
    stream_.emplace(io_, context_);
    stream_->set_verify_callback(asio::ssl::host_name_verification("localhost"));
    SSL_set_tlsext_host_name(stream_->native_handle(), "localhost");
    boost::beast::get_lowest_layer(*stream_).connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    stream_->handshake(asio::ssl::stream_base::client);
    buffer_.clear();
  }

  boost::asio::io_context io_;
  boost::asio::ssl::context context_;
  std::uint16_t port_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> stream_;
  boost::beast::flat_buffer buffer_;
};

// One GET over plain HTTP to 127.0.0.1:`port` (the operations listener).
// Throws boost::system::system_error when the connection fails.
inline HttpsClient::Response plain_get(std::uint16_t port, const std::string& target) {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "localhost");
  http::write(stream, request);
  boost::beast::flat_buffer buffer;
  HttpsClient::Response response;
  http::read(stream, buffer, response);
  return response;
}

}  // namespace clueline::testing
