// The HTTPS server and its operations listener.
//
// Threading: one io_context per network thread, each with its own
// SO_REUSEPORT acceptor on the public port, so the kernel spreads
// connections across threads and no connection ever changes thread. Each
// connection is one coroutine. A separate small pool runs blocking work
// (RocksDB, statvfs). The operations listener (plain HTTP, loopback by
// default) runs on the first network thread.
#pragma once

#include <cstdint>
#include <memory>

namespace clueline::storage {
class Store;
}

namespace clueline::services {
struct Config;
}

namespace clueline::server {

class Server {
 public:
  // Loads TLS material and binds both listeners (ports are known after
  // this returns). Throws std::runtime_error or boost::system::system_error
  // with a message naming the setting or address on failure. `store` must
  // stay open until the server is destroyed.
  Server(const services::Config& config, std::shared_ptr<storage::Store> store);
  ~Server();  // shuts down if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts the network threads; returns at once.
  void start();

  std::uint16_t public_port() const noexcept;
  std::uint16_t ops_port() const noexcept;

  // Graceful stop: closes the listeners, closes idle keep-alive connections,
  // lets requests in flight finish and their responses be written (each
  // then closes), and after config.server.shutdown_grace abandons whatever
  // is left. Blocks until every thread has been joined. Idempotent.
  void shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocks SIGTERM and SIGINT for the calling thread and every thread it
// creates afterwards. Call before Server::start().
void block_termination_signals();

// Waits until SIGTERM or SIGINT arrives; returns the signal number.
int wait_for_termination_signal();

}  // namespace clueline::server
