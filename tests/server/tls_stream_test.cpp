// TlsStream against Asio's own TLS client on loopback: the public
// listener's transport, without the HTTP server around it.
#include "tls_stream.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "clueline/server/tls.hpp"
#include "tls_context.hpp"

namespace clueline::server {
namespace {

namespace ssl = asio::ssl;
using ClientStream = ssl::stream<tcp::socket>;
using boost::system::error_code;

std::vector<char> pattern(std::size_t size, char seed) {
  std::vector<char> bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(seed + i * 7 + i / 4096);
  return bytes;
}

class TlsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("clueline-tls-stream-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
    write_self_signed_certificate(directory_ / "cert.pem", directory_ / "key.pem");
    server_tls_.emplace(make_server_tls_context(directory_ / "cert.pem", directory_ / "key.pem"));
    client_tls_.set_verify_mode(ssl::verify_none);
    acceptor_.open(tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  SSL_CTX* server_context() { return server_tls_->native_handle(); }
  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }

  // Runs the context until both sides are done, bounded so that a hang
  // fails the test instead of the run.
  void run() {
    context_.run_for(std::chrono::seconds(30));
    EXPECT_TRUE(context_.stopped()) << "a side did not finish in time";
  }

  std::filesystem::path directory_;
  asio::io_context context_{1};
  std::optional<ssl::context> server_tls_;
  ssl::context client_tls_{ssl::context::tls_client};
  tcp::acceptor acceptor_{context_};
};

struct Outcome {
  error_code handshake;
  error_code transfer;
  error_code end;
  std::vector<char> received;
};

asio::awaitable<void> echo_then_shut_down(tcp::acceptor* acceptor, SSL_CTX* context,
                                          std::size_t size, Outcome* outcome) {
  auto [accept_ec, socket] = co_await acceptor->async_accept(use_nothrow_awaitable);
  if (accept_ec) co_return;
  TlsStream stream(std::move(socket), context);
  stream.expires_after(std::chrono::seconds(20));
  std::tie(outcome->handshake, std::ignore) =
      co_await stream.async_handshake(use_nothrow_awaitable);
  if (outcome->handshake) co_return;
  outcome->received.resize(size);
  auto [read_ec, read] =
      co_await asio::async_read(stream, asio::buffer(outcome->received), use_nothrow_awaitable);
  outcome->transfer = read_ec;
  if (read_ec) co_return;
  // Back in two parts of a sequence, as Beast writes an HTTP head and body.
  const std::array<asio::const_buffer, 2> parts{
      asio::buffer(outcome->received.data(), 100),
      asio::buffer(outcome->received.data() + 100, size - 100)};
  auto [write_ec, written] = co_await asio::async_write(stream, parts, use_nothrow_awaitable);
  outcome->transfer = write_ec;
  if (write_ec) co_return;
  std::tie(outcome->end, std::ignore) = co_await stream.async_shutdown(use_nothrow_awaitable);
}

asio::awaitable<void> send_and_read_back(ClientStream* client, tcp::endpoint endpoint,
                                         std::vector<char> sent, Outcome* outcome) {
  auto [connect_ec] = co_await client->next_layer().async_connect(endpoint, use_nothrow_awaitable);
  if (connect_ec) co_return;
  std::tie(outcome->handshake) =
      co_await client->async_handshake(ssl::stream_base::client, use_nothrow_awaitable);
  if (outcome->handshake) co_return;
  auto [write_ec, written] =
      co_await asio::async_write(*client, asio::buffer(sent), use_nothrow_awaitable);
  outcome->transfer = write_ec;
  if (write_ec) co_return;
  outcome->received.resize(sent.size());
  auto [read_ec, read] =
      co_await asio::async_read(*client, asio::buffer(outcome->received), use_nothrow_awaitable);
  outcome->transfer = read_ec;
  if (read_ec) co_return;
  // The server's close_notify reads as end of stream; ours answers it.
  std::array<char, 16> more;
  auto [end_ec, extra] =
      co_await client->async_read_some(asio::buffer(more), use_nothrow_awaitable);
  outcome->end = end_ec;
  co_await client->async_shutdown(use_nothrow_awaitable);
}

TEST_F(TlsStreamTest, CarriesAMebibyteEachWayAndShutsDownCleanly) {
  constexpr std::size_t kSize = 1 << 20;
  const std::vector<char> sent = pattern(kSize, 3);
  Outcome server;
  Outcome client;
  ClientStream client_stream(context_, client_tls_);
  asio::co_spawn(context_, echo_then_shut_down(&acceptor_, server_context(), kSize, &server),
                 asio::detached);
  asio::co_spawn(context_, send_and_read_back(&client_stream, endpoint(), sent, &client),
                 asio::detached);
  run();
  EXPECT_FALSE(server.handshake) << server.handshake.message();
  EXPECT_FALSE(client.handshake) << client.handshake.message();
  EXPECT_FALSE(server.transfer) << server.transfer.message();
  EXPECT_FALSE(client.transfer) << client.transfer.message();
  EXPECT_TRUE(server.received == sent);
  EXPECT_TRUE(client.received == sent);
  EXPECT_EQ(client.end, asio::error::eof) << client.end.message();
  EXPECT_FALSE(server.end) << "server shutdown: " << server.end.message();
}

// The server side of the tests below: a handshake, then one read whose
// outcome is the test's subject.
struct ReadOutcome {
  error_code handshake;
  std::optional<error_code> read;
};

enum class Deadline { kNone, kBeforeHandshake, kBeforeRead };

asio::awaitable<void> accept_and_read(tcp::acceptor* acceptor, SSL_CTX* context, Deadline deadline,
                                      ReadOutcome* outcome, TlsStream** exposed) {
  auto [accept_ec, socket] = co_await acceptor->async_accept(use_nothrow_awaitable);
  if (accept_ec) co_return;
  TlsStream stream(std::move(socket), context);
  stream.expires_after(deadline == Deadline::kBeforeHandshake ? std::chrono::milliseconds(200)
                                                              : std::chrono::milliseconds(20000));
  std::tie(outcome->handshake, std::ignore) =
      co_await stream.async_handshake(use_nothrow_awaitable);
  if (!outcome->handshake) {
    if (exposed != nullptr) *exposed = &stream;
    if (deadline == Deadline::kBeforeRead) stream.expires_after(std::chrono::milliseconds(200));
    std::array<char, 512> buffer;
    auto [read_ec, read] =
        co_await stream.async_read_some(asio::buffer(buffer), use_nothrow_awaitable);
    outcome->read = read_ec;
  }
  if (exposed != nullptr) *exposed = nullptr;
}

enum class ClientEnd { kWaitForServer, kCloseWithoutNotify, kConnectOnly };

// Connects, handshakes unless told not to, then either closes the TCP
// connection without close_notify or waits until the server is done.
asio::awaitable<void> client_that(ClientStream* client, tcp::endpoint endpoint, ClientEnd end,
                                  ReadOutcome* server) {
  auto [connect_ec] = co_await client->next_layer().async_connect(endpoint, use_nothrow_awaitable);
  if (connect_ec) co_return;
  if (end != ClientEnd::kConnectOnly) {
    auto [handshake_ec] =
        co_await client->async_handshake(ssl::stream_base::client, use_nothrow_awaitable);
    if (handshake_ec) co_return;
  }
  if (end == ClientEnd::kCloseWithoutNotify) {
    error_code ignored;
    client->next_layer().close(ignored);
    co_return;
  }
  asio::steady_timer poll(client->get_executor());
  while (!server->read && !server->handshake) {
    poll.expires_after(std::chrono::milliseconds(10));
    co_await poll.async_wait(use_nothrow_awaitable);
  }
  error_code ignored;
  client->next_layer().close(ignored);
}

TEST_F(TlsStreamTest, AReadPastItsDeadlineFailsWithTimeout) {
  ReadOutcome server;
  ClientStream client(context_, client_tls_);
  asio::co_spawn(
      context_,
      accept_and_read(&acceptor_, server_context(), Deadline::kBeforeRead, &server, nullptr),
      asio::detached);
  asio::co_spawn(context_, client_that(&client, endpoint(), ClientEnd::kWaitForServer, &server),
                 asio::detached);
  run();
  EXPECT_FALSE(server.handshake) << server.handshake.message();
  ASSERT_TRUE(server.read.has_value());
  EXPECT_EQ(*server.read, beast::error::timeout) << server.read->message();
}

TEST_F(TlsStreamTest, AHandshakeNeverStartedFailsWithTimeout) {
  ReadOutcome server;
  ClientStream client(context_, client_tls_);
  asio::co_spawn(
      context_,
      accept_and_read(&acceptor_, server_context(), Deadline::kBeforeHandshake, &server, nullptr),
      asio::detached);
  asio::co_spawn(context_, client_that(&client, endpoint(), ClientEnd::kConnectOnly, &server),
                 asio::detached);
  run();
  EXPECT_EQ(server.handshake, beast::error::timeout) << server.handshake.message();
  EXPECT_FALSE(server.read.has_value());
}

TEST_F(TlsStreamTest, APeerClosingWithoutCloseNotifyReadsAsTruncated) {
  ReadOutcome server;
  ClientStream client(context_, client_tls_);
  asio::co_spawn(context_,
                 accept_and_read(&acceptor_, server_context(), Deadline::kNone, &server, nullptr),
                 asio::detached);
  asio::co_spawn(context_,
                 client_that(&client, endpoint(), ClientEnd::kCloseWithoutNotify, &server),
                 asio::detached);
  run();
  EXPECT_FALSE(server.handshake) << server.handshake.message();
  ASSERT_TRUE(server.read.has_value());
  EXPECT_EQ(*server.read, ssl::error::stream_truncated) << server.read->message();
}

asio::awaitable<void> cancel_when_reading(TlsStream** exposed, ReadOutcome* server) {
  asio::steady_timer poll(co_await asio::this_coro::executor);
  while (*exposed == nullptr && !server->handshake) {
    poll.expires_after(std::chrono::milliseconds(10));
    co_await poll.async_wait(use_nothrow_awaitable);
  }
  // Give the read time to start waiting for the socket.
  poll.expires_after(std::chrono::milliseconds(100));
  co_await poll.async_wait(use_nothrow_awaitable);
  if (*exposed != nullptr) (*exposed)->cancel();
}

TEST_F(TlsStreamTest, CancelEndsAPendingReadWithOperationAborted) {
  ReadOutcome server;
  TlsStream* exposed = nullptr;
  ClientStream client(context_, client_tls_);
  asio::co_spawn(context_,
                 accept_and_read(&acceptor_, server_context(), Deadline::kNone, &server, &exposed),
                 asio::detached);
  asio::co_spawn(context_, client_that(&client, endpoint(), ClientEnd::kWaitForServer, &server),
                 asio::detached);
  asio::co_spawn(context_, cancel_when_reading(&exposed, &server), asio::detached);
  run();
  ASSERT_TRUE(server.read.has_value());
  EXPECT_EQ(*server.read, asio::error::operation_aborted) << server.read->message();
}

struct WriteOutcome {
  error_code handshake;
  error_code read;
  error_code write;
};

// Reads until the client's reset ends the connection, and only then writes: the kernel answers that
// write with EPIPE, and would raise SIGPIPE with it unless told not to.
asio::awaitable<void> write_after_reset(tcp::acceptor* acceptor, SSL_CTX* context,
                                        WriteOutcome* outcome) {
  auto [accept_ec, socket] = co_await acceptor->async_accept(use_nothrow_awaitable);
  if (accept_ec) co_return;
  TlsStream stream(std::move(socket), context);
  stream.expires_after(std::chrono::seconds(20));
  std::tie(outcome->handshake, std::ignore) =
      co_await stream.async_handshake(use_nothrow_awaitable);
  if (outcome->handshake) co_return;
  // The reset may discard the byte before it is read.
  std::array<char, 1> first;
  for (int reads = 0; reads < 2 && !outcome->read; ++reads) {
    std::tie(outcome->read, std::ignore) =
        co_await asio::async_read(stream, asio::buffer(first), use_nothrow_awaitable);
  }
  // The first write after a reset may still be taken by the kernel; one of
  // the next ones meets the reset.
  const std::vector<char> chunk = pattern(64 * 1024, 5);
  for (int attempt = 0; attempt < 16 && !outcome->write; ++attempt) {
    std::tie(outcome->write, std::ignore) =
        co_await asio::async_write(stream, asio::buffer(chunk), use_nothrow_awaitable);
  }
}

asio::awaitable<void> handshake_then_reset(ClientStream* client, tcp::endpoint endpoint) {
  auto [connect_ec] = co_await client->next_layer().async_connect(endpoint, use_nothrow_awaitable);
  if (connect_ec) co_return;
  auto [handshake_ec] =
      co_await client->async_handshake(ssl::stream_base::client, use_nothrow_awaitable);
  if (handshake_ec) co_return;
  auto [write_ec, written] =
      co_await asio::async_write(*client, asio::buffer("x", 1), use_nothrow_awaitable);
  if (write_ec) co_return;
  error_code ignored;
  client->next_layer().set_option(asio::socket_base::linger(true, 0), ignored);
  client->next_layer().close(ignored);
}

TEST_F(TlsStreamTest, WritingToAResetConnectionFailsWithoutSigpipe) {
  WriteOutcome server;
  ClientStream client(context_, client_tls_);
  asio::co_spawn(context_, write_after_reset(&acceptor_, server_context(), &server),
                 asio::detached);
  asio::co_spawn(context_, handshake_then_reset(&client, endpoint()), asio::detached);
  run();
  EXPECT_FALSE(server.handshake) << server.handshake.message();
  EXPECT_EQ(server.read, asio::error::connection_reset) << server.read.message();
  EXPECT_EQ(server.write, asio::error::broken_pipe) << server.write.message();
}

}  // namespace
}  // namespace clueline::server
