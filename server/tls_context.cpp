#include "tls_context.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

namespace clueline::server {

boost::asio::ssl::context make_server_tls_context(const std::filesystem::path& certificate_chain,
                                                  const std::filesystem::path& private_key) {
  namespace ssl = boost::asio::ssl;
  ssl::context context{ssl::context::tls_server};
  SSL_CTX* native = context.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    throw std::runtime_error("cannot restrict TLS to 1.2 and later");
  }
  context.set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                      ssl::context::single_dh_use);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // No resumption: a resumed session (a TLS 1.2 ticket or cache entry, a
  // TLS 1.3 PSK) would tie a later visit to the connection that submitted a
  // report. Each connection pays a full handshake instead.
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_set_num_tickets(native, 0) != 1) {
    throw std::runtime_error("cannot turn TLS session tickets off");
  }
  // Idle connections give their read and write buffers back (about 34 KiB
  // each) until the next record arrives.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // TLS 1.2: forward secrecy and AEAD only. TLS 1.3 suites are all AEAD.
  if (SSL_CTX_set_cipher_list(native,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1 ||
      SSL_CTX_set_ciphersuites(native,
                               "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                               "TLS_CHACHA20_POLY1305_SHA256") != 1) {
    throw std::runtime_error("cannot configure TLS cipher suites");
  }
  boost::system::error_code ec;
  context.use_certificate_chain_file(certificate_chain.string(), ec);
  if (ec) {
    throw std::runtime_error("server.tls_certificate: cannot load " + certificate_chain.string() +
                             ": " + ec.message());
  }
  context.use_private_key_file(private_key.string(), ssl::context::pem, ec);
  if (ec) {
    throw std::runtime_error("server.tls_private_key: cannot load " + private_key.string() + ": " +
                             ec.message());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("server.tls_private_key: " + private_key.string() +
                             " does not match the certificate " + certificate_chain.string());
  }
  return context;
}

}  // namespace clueline::server
