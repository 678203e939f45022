#include "clueline/server/api_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <optional>
#include <stdexcept>

namespace clueline::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

http::verb verb_of(ApiClient::Method method) {
  switch (method) {
    case ApiClient::Method::kGet:
      return http::verb::get;
    case ApiClient::Method::kPost:
      return http::verb::post;
    case ApiClient::Method::kPut:
      return http::verb::put;
    case ApiClient::Method::kDelete:
      return http::verb::delete_;
  }
  return http::verb::get;
}

}  // namespace

struct ApiClient::Impl {
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::string host;
  std::string port;
  std::chrono::seconds timeout;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;

  // Runs the io_context until the pending operation ends; the tcp_stream's
  // expiry cancels it after `timeout`.
  void run() {
    io.restart();
    io.run();
  }

  void connect() {
    stream.emplace(io, tls);
    stream->set_verify_callback(asio::ssl::host_name_verification(host));
    if (!SSL_set_tlsext_host_name(stream->native_handle(), host.c_str())) {
      throw std::runtime_error("cannot set the TLS server name " + host);
    }
    asio::ip::tcp::resolver resolver(io);
    boost::system::error_code ec;
    const auto endpoints = resolver.resolve(host, port, ec);
    if (ec) throw std::runtime_error("cannot resolve " + host + ": " + ec.message());
    beast::get_lowest_layer(*stream).expires_after(timeout);
    beast::get_lowest_layer(*stream).async_connect(
        endpoints, [&ec](const boost::system::error_code& e, const auto&) { ec = e; });
    run();
    if (ec)
      throw std::runtime_error("cannot connect to " + host + ":" + port + ": " + ec.message());
    beast::get_lowest_layer(*stream).expires_after(timeout);
    stream->async_handshake(asio::ssl::stream_base::client,
                            [&ec](const boost::system::error_code& e) { ec = e; });
    run();
    if (ec) {
      // The one failure a new user meets first: a self-signed certificate
      // (the demo's) without the file that vouches for it.
      const bool untrusted = ec.category() == asio::error::get_ssl_category() &&
                             ERR_GET_REASON(ec.value()) == SSL_R_CERTIFICATE_VERIFY_FAILED;
      throw std::runtime_error(
          "TLS with " + host + " failed: " + ec.message() +
          (untrusted ? "; the server's certificate is not trusted here: give the CA or "
                       "self-signed certificate that signed it with --ca-file PEM (the demo "
                       "writes DATA_DIR/demo-cert.pem)"
                     : ""));
    }
    buffer.clear();
  }
};

ApiClient::ApiClient(std::string_view base_url, const std::filesystem::path& ca_file,
                     std::chrono::seconds timeout)
    : impl_(std::make_unique<Impl>()) {
  auto url = boost::urls::parse_uri(base_url);
  if (!url || url->scheme() != "https" || url->host().empty()) {
    throw std::invalid_argument("the server must be an https:// URL, e.g. https://127.0.0.1:8443");
  }
  impl_->host = url->host();
  impl_->port = url->has_port() ? std::string(url->port()) : "443";
  impl_->timeout = timeout;
  impl_->tls.set_options(asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    impl_->tls.set_default_verify_paths(ec);
  } else {
    impl_->tls.load_verify_file(ca_file.string(), ec);
  }
  if (ec) {
    throw std::runtime_error("cannot load the CA certificates " + ca_file.string() + ": " +
                             ec.message());
  }
  impl_->tls.set_verify_mode(asio::ssl::verify_peer);
}

ApiClient::~ApiClient() = default;
ApiClient::ApiClient(ApiClient&&) noexcept = default;
ApiClient& ApiClient::operator=(ApiClient&&) noexcept = default;

const std::string& ApiClient::host() const noexcept { return impl_->host; }

ApiClient::Answer ApiClient::call(Request request) {
  Impl& impl = *impl_;
  if (!impl.stream) impl.connect();
  http::request<http::string_body> message{verb_of(request.method), request.target, 11};
  message.set(http::field::host, impl.host);
  message.set(http::field::user_agent, "clueline-cli");
  if (!request.content_type.empty()) message.set(http::field::content_type, request.content_type);
  if (!request.bearer.empty()) message.set(http::field::authorization, "Bearer " + request.bearer);
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = std::move(request.body);
  message.prepare_payload();

  boost::system::error_code ec;
  beast::get_lowest_layer(*impl.stream).expires_after(impl.timeout);
  http::async_write(*impl.stream, message,
                    [&ec](const boost::system::error_code& e, std::size_t) { ec = e; });
  impl.run();
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 << 20);
  if (!ec) {
    beast::get_lowest_layer(*impl.stream).expires_after(impl.timeout);
    http::async_read(*impl.stream, impl.buffer, parser,
                     [&ec](const boost::system::error_code& e, std::size_t) { ec = e; });
    impl.run();
  }
  if (ec) {
    impl.stream.reset();
    throw std::runtime_error("the exchange with " + impl.host + " failed: " + ec.message());
  }
  auto response = parser.release();
  if (!response.keep_alive()) impl.stream.reset();
  return {response.result_int(), std::move(response.body()),
          std::string(response[http::field::content_type])};
}

}  // namespace clueline::server
