#include "tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <cerrno>
#include <climits>
#include <stdexcept>

namespace clueline::server {
namespace {

// OpenSSL's own socket BIO writes with write(2), which raises SIGPIPE when
// the peer has reset the connection; this one sends with MSG_NOSIGNAL, as
// Asio does, and is otherwise the same non-blocking socket I/O.
int socket_of(BIO* bio) {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

int socket_write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
  BIO_clear_retry_flags(bio);
  const ssize_t sent = ::send(socket_of(bio), data, size, MSG_NOSIGNAL);
  if (sent < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) BIO_set_retry_write(bio);
    return 0;
  }
  *written = static_cast<std::size_t>(sent);
  return 1;
}

int socket_read(BIO* bio, char* data, std::size_t size, std::size_t* read) {
  BIO_clear_retry_flags(bio);
  const ssize_t received = ::recv(socket_of(bio), data, size, 0);
  if (received < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) BIO_set_retry_read(bio);
    return 0;
  }
  // OpenSSL asks BIO_eof to tell a peer's close without close_notify from
  // an I/O error.
  if (received == 0 && size != 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
  *read = static_cast<std::size_t>(received);
  return received == 0 ? 0 : 1;
}

long socket_control(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_EOF:
      return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
    default:
      return 0;
  }
}

int socket_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* created = BIO_meth_new(
        BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "clueline socket");
    if (created == nullptr || BIO_meth_set_write_ex(created, socket_write) != 1 ||
        BIO_meth_set_read_ex(created, socket_read) != 1 ||
        BIO_meth_set_ctrl(created, socket_control) != 1 ||
        BIO_meth_set_create(created, socket_create) != 1) {
      throw std::runtime_error("cannot set up the TLS socket BIO");
    }
    return created;
  }();
  return method;
}

}  // namespace

TlsStream::TlsStream(tcp::socket socket, SSL_CTX* context)
    : state_(std::make_shared<State>(std::move(socket))) {
  state_->socket.non_blocking(true);
  state_->ssl = SSL_new(context);
  BIO* bio = state_->ssl != nullptr ? BIO_new(socket_method()) : nullptr;
  if (bio == nullptr) {
    SSL_free(state_->ssl);
    state_->ssl = nullptr;
    ERR_clear_error();
    throw std::runtime_error("cannot set up a TLS connection");
  }
  BIO_set_data(bio,
               reinterpret_cast<void*>(static_cast<std::intptr_t>(state_->socket.native_handle())));
  SSL_set_bio(state_->ssl, bio, bio);  // the SSL owns the BIO, once for both directions
  SSL_set_accept_state(state_->ssl);
  // A write that could not finish is retried by Beast from the same data,
  // though maybe from another buffer address (a gathered write's copy).
  SSL_set_mode(state_->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

TlsStream::~TlsStream() {
  boost::system::error_code ignored;
  state_->timer.cancel();
  state_->socket.close(ignored);
  SSL_free(state_->ssl);
}

void TlsStream::expires_after(std::chrono::steady_clock::duration timeout) {
  State& state = *state_;
  state.timed_out = false;
  const std::uint64_t generation = ++state.deadline_generation;
  state.timer.expires_after(timeout);
  state.timer.async_wait(
      [weak = std::weak_ptr<State>(state_), generation](const boost::system::error_code& ec) {
        const std::shared_ptr<State> alive = weak.lock();
        if (ec || !alive || alive->deadline_generation != generation) return;
        alive->timed_out = true;
        boost::system::error_code ignored;
        alive->socket.cancel(ignored);
      });
}

void TlsStream::cancel() {
  boost::system::error_code ignored;
  state_->socket.cancel(ignored);
}

TlsStream::Attempt TlsStream::attempt(Operation operation, void* data, std::size_t size) {
  SSL* ssl = state_->ssl;
  const int clamped = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
  ERR_clear_error();
  int result = 0;
  std::size_t bytes = 0;
  switch (operation) {
    case Operation::kHandshake:
      result = SSL_do_handshake(ssl);
      break;
    case Operation::kRead:
      if (size == 0) return {};
      result = SSL_read_ex(ssl, data, static_cast<std::size_t>(clamped), &bytes);
      break;
    case Operation::kWrite:
      if (size == 0) return {};
      result = SSL_write_ex(ssl, data, static_cast<std::size_t>(clamped), &bytes);
      break;
    case Operation::kShutdown:
      result = SSL_shutdown(ssl);
      // 0: our close_notify is out; the second call waits for the peer's.
      if (result == 0) result = SSL_shutdown(ssl);
      break;
  }
  if (result == 1) return {Wait::kNone, {}, bytes};
  const int error = SSL_get_error(ssl, result);
  switch (error) {
    case SSL_ERROR_WANT_READ:
      return {Wait::kReadable, {}, 0};
    case SSL_ERROR_WANT_WRITE:
      return {Wait::kWritable, {}, 0};
    case SSL_ERROR_ZERO_RETURN:
      return {Wait::kNone, asio::error::eof, 0};
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        const int system_error = errno;
        if (system_error == 0) return {Wait::kNone, asio::ssl::error::stream_truncated, 0};
        return {Wait::kNone, {system_error, boost::system::system_category()}, 0};
      }
      [[fallthrough]];
    default: {
      const unsigned long code = ERR_get_error();
      ERR_clear_error();
      if (ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        return {Wait::kNone, asio::ssl::error::stream_truncated, 0};
      }
      return {Wait::kNone, {static_cast<int>(code), asio::error::get_ssl_category()}, 0};
    }
  }
}

boost::system::error_code TlsStream::wait_error(const boost::system::error_code& ec) const {
  if (state_->timed_out) return beast::error::timeout;
  return ec;
}

}  // namespace clueline::server
