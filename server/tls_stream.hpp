// A server-side TLS stream that drives OpenSSL directly on a non-blocking
// socket, for the public listener. Asio's ssl::stream keeps four 17 KiB
// buffers per connection (its own two and a BIO pair's two) for as long as
// the connection lives; here OpenSSL reads and writes the socket itself
// (through a BIO that sends with MSG_NOSIGNAL, so a peer's reset never
// raises SIGPIPE), and with SSL_MODE_RELEASE_BUFFERS an idle connection holds
// no record buffer at all. It models Beast's AsyncReadStream and
// AsyncWriteStream; beast::get_lowest_layer of it is the stream itself.
#pragma once

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "http_types.hpp"

namespace clueline::server {

// Thread safety: none; a stream belongs to the strand (here: the network
// thread) of its socket. At most one operation (handshake, read, write or
// shutdown) may be pending at a time: reads and writes share one SSL.
//
// Errors are reported as Asio's: asio::error::eof for a peer's close_notify,
// asio::ssl::error::stream_truncated for a close without one, the SSL
// category for protocol failures, beast::error::timeout when the deadline
// set by expires_after passed, operation_aborted after cancel().
class TlsStream {
 public:
  using executor_type = tcp::socket::executor_type;

  // Takes over an accepted socket and serves TLS on it with `context`, which
  // must outlive the stream. Throws std::runtime_error if OpenSSL cannot set
  // up the connection (out of memory).
  TlsStream(tcp::socket socket, SSL_CTX* context);
  // Closes the socket; pending operations complete with operation_aborted.
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  executor_type get_executor() noexcept { return state_->socket.get_executor(); }
  tcp::socket& socket() noexcept { return state_->socket; }

  // Every operation pending now or started later fails with
  // beast::error::timeout once `timeout` has passed, until the next call.
  // As beast::tcp_stream::expires_after.
  void expires_after(std::chrono::steady_clock::duration timeout);
  // Completes pending operations with operation_aborted.
  void cancel();

  template <typename Token>
  auto async_handshake(Token&& token) {
    return async_run(Operation::kHandshake, asio::mutable_buffer{}, std::forward<Token>(token));
  }

  // Sends close_notify and waits for the peer's (bounded by the deadline).
  template <typename Token>
  auto async_shutdown(Token&& token) {
    return async_run(Operation::kShutdown, asio::mutable_buffer{}, std::forward<Token>(token));
  }

  template <typename MutableBufferSequence, typename Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return async_run(Operation::kRead, first_buffer(buffers), std::forward<Token>(token));
  }

  // Writes at most one TLS record's worth. Small buffers of a sequence (an
  // HTTP head and a short body) are gathered into one record.
  template <typename ConstBufferSequence, typename Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    auto first = first_buffer(buffers);
    if (first.size() >= kRecordSize || asio::buffer_size(buffers) == first.size()) {
      return async_run(Operation::kWrite,
                       asio::mutable_buffer(const_cast<void*>(first.data()), first.size()),
                       std::forward<Token>(token));
    }
    std::vector<char> gathered(std::min(asio::buffer_size(buffers), kRecordSize));
    gathered.resize(asio::buffer_copy(asio::buffer(gathered), buffers));
    return async_run(Operation::kWrite, std::move(gathered), std::forward<Token>(token));
  }

 private:
  static constexpr std::size_t kRecordSize = 16 * 1024;

  enum class Operation { kHandshake, kRead, kWrite, kShutdown };
  enum class Wait { kNone, kReadable, kWritable };
  struct Attempt {
    Wait wait = Wait::kNone;
    boost::system::error_code ec;
    std::size_t bytes = 0;
  };

  struct State {
    State(tcp::socket socket_in) : socket(std::move(socket_in)), timer(socket.get_executor()) {}
    tcp::socket socket;
    asio::steady_timer timer;
    SSL* ssl = nullptr;
    // Which expires_after call the timer serves; a wait that completes
    // after a newer call (already queued when the timer was reset) is stale.
    std::uint64_t deadline_generation = 0;
    bool timed_out = false;
  };

  template <typename Buffers>
  static asio::const_buffer first_buffer(const Buffers& buffers) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      asio::const_buffer buffer(*it);
      if (buffer.size() != 0) return buffer;
    }
    return {};
  }
  template <typename Buffers>
  static asio::mutable_buffer first_buffer(
      const Buffers& buffers) requires asio::is_mutable_buffer_sequence<Buffers>::value {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      asio::mutable_buffer buffer(*it);
      if (buffer.size() != 0) return buffer;
    }
    return {};
  }

  // One non-blocking try of the OpenSSL call behind `operation`.
  Attempt attempt(Operation operation, void* data, std::size_t size);
  // The error an operation reports when its readiness wait ended with `ec`.
  boost::system::error_code wait_error(const boost::system::error_code& ec) const;

  // The buffer is either the caller's (asio::mutable_buffer) or gathered
  // by async_write_some (std::vector<char>, owned by the operation).
  template <typename Storage>
  struct Op {
    TlsStream* stream;
    Operation operation;
    Storage storage;
    enum class Phase { kStart, kWaiting, kCompleting } phase = Phase::kStart;
    Attempt result{};

    void* data() { return storage.data(); }
    std::size_t size() const { return storage.size(); }

    template <typename Self>
    void operator()(Self& self, boost::system::error_code wait_ec = {}) {
      if (phase == Phase::kCompleting) {
        self.complete(result.ec, result.bytes);
        return;
      }
      const bool initiating = phase == Phase::kStart;
      if (phase == Phase::kWaiting && wait_ec) {
        result = {Wait::kNone, stream->wait_error(wait_ec), 0};
      } else if (stream->state_->timed_out) {
        result = {Wait::kNone, stream->wait_error(asio::error::operation_aborted), 0};
      } else {
        result = stream->attempt(operation, data(), size());
      }
      if (result.wait != Wait::kNone) {
        phase = Phase::kWaiting;
        stream->state_->socket.async_wait(
            result.wait == Wait::kReadable ? tcp::socket::wait_read : tcp::socket::wait_write,
            std::move(self));
        return;
      }
      if (initiating) {
        // Never complete inside the initiating call: Beast's composed reads
        // would recurse, one frame per record already buffered.
        phase = Phase::kCompleting;
        asio::post(std::move(self));
        return;
      }
      self.complete(result.ec, result.bytes);
    }
  };

  template <typename Storage, typename Token>
  auto async_run(Operation operation, Storage storage, Token&& token) {
    return asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        Op<Storage>{this, operation, std::move(storage)}, token, state_->socket);
  }

  // Shared with the deadline timer's pending wait, which may run after the
  // stream is gone.
  std::shared_ptr<State> state_;
};

}  // namespace clueline::server
