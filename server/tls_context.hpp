// The server's TLS configuration.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <filesystem>

namespace clueline::server {

// TLS 1.2 and 1.3 only; ECDHE with AEAD ciphers only (AES-GCM,
// ChaCha20-Poly1305); no compression, no renegotiation; server cipher order;
// no session resumption (no tickets, no session cache); buffers released
// while a connection is idle.
// Loads the PEM chain and key and checks they match. Throws
// std::runtime_error naming the file on any failure (start-up only).
boost::asio::ssl::context make_server_tls_context(const std::filesystem::path& certificate_chain,
                                                  const std::filesystem::path& private_key);

}  // namespace clueline::server
