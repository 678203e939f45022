#include "clueline/server/server.hpp"

#include <pthread.h>
#include <signal.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include "access_log.hpp"
#include "clueline/server/tls.hpp"
#include "clueline/services/config.hpp"
#include "clueline/services/escalation.hpp"
#include "clueline/storage/accounts.hpp"
#include "clueline/storage/group_commit.hpp"
#include "clueline/storage/stats.hpp"
#include "clueline/web/assets.hpp"
#include "handlers.hpp"
#include "intake_routes.hpp"
#include "responses.hpp"
#include "router.hpp"
#include "tls_context.hpp"
#include "tls_stream.hpp"

namespace clueline::server {
namespace {

namespace ssl = asio::ssl;
using Clock = std::chrono::steady_clock;

// How long a connection may take to exchange TLS close_notify once we are
// done with it; short, because the peer gains nothing from waiting.
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(1);

// After answering a request whose body we refused to read (413, 400, 431),
// the peer may still be sending it. Closing at once would make the kernel
// reset the connection, and the reset can destroy our response before the
// client reads it, so we read and discard for a bounded time and size first.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1 << 20;

struct Limits {
  std::chrono::seconds handshake_timeout;
  std::chrono::seconds read_timeout;
  std::chrono::seconds write_timeout;
  std::chrono::seconds idle_timeout;
  std::size_t header_limit;
  std::size_t default_body_limit;
  std::size_t max_connections;
};

// One listening service (public HTTPS or operations HTTP). Immutable once
// the threads start, apart from the metrics' atomics.
struct Listener {
  std::string name;
  Transport transport = Transport::kPlain;
  ssl::context* tls = nullptr;  // set for kTls
  Router router;
  std::unique_ptr<Metrics> metrics;
  Limits limits{};
  const AccessLog* access_log = nullptr;
  // Reporters reach this listener: unmatched requests are logged coarsely
  // too (Route::citizen).
  bool serves_citizens = false;
};

// A live connection as its worker sees it, for draining at shutdown.
struct Connection {
  tcp::socket* socket = nullptr;  // cancelled to close an idle connection
  const Listener* listener = nullptr;
  bool busy = false;  // between reading a request head and writing its response
  // Since when it waits for a handshake or a request head; when its
  // listener is full, the one waiting longest is closed first.
  std::chrono::steady_clock::time_point idle_since;
};

// A connection is not closed to make room before it has waited this long:
// an honest client's handshake and request head, even over a slow mobile
// link, arrive within it, so a full listener does not cut off a newcomer
// that is still on its way in. Connections held open (idle after an answer,
// never starting a handshake, or trickling a head byte by byte) all wait
// longer, and the oldest of them goes first.
constexpr auto kEvictionGrace = std::chrono::seconds(2);

// One network thread with its own io_context and acceptors. Everything in
// here except `context` is touched only by this worker's thread.
struct Worker {
  asio::io_context context{1};
  std::vector<tcp::acceptor> acceptors;
  std::unordered_set<Connection*> connections;
  bool draining = false;
  std::thread thread;
};

// Registers a connection for its lifetime and keeps the gauge right on
// every exit path of the session coroutine.
class ConnectionScope {
 public:
  ConnectionScope(Worker& worker, const Listener& listener, tcp::socket& socket)
      : worker_(worker), metrics_(*listener.metrics) {
    connection.socket = &socket;
    connection.listener = &listener;
    connection.idle_since = std::chrono::steady_clock::now();
    worker_.connections.insert(&connection);
    metrics_.connection_opened();
  }
  ~ConnectionScope() {
    worker_.connections.erase(&connection);
    metrics_.connection_closed();
  }
  ConnectionScope(const ConnectionScope&) = delete;
  ConnectionScope& operator=(const ConnectionScope&) = delete;

  Connection connection;

 private:
  Worker& worker_;
  Metrics& metrics_;
};

void begin_draining(Worker& worker) {
  worker.draining = true;
  boost::system::error_code ignored;
  for (tcp::acceptor& acceptor : worker.acceptors) acceptor.close(ignored);
  // Idle keep-alive connections would otherwise hold the thread until their
  // idle timeout; busy ones notice `draining` after writing their response.
  for (Connection* connection : worker.connections) {
    if (!connection->busy) connection->socket->cancel(ignored);
  }
}

// Closes the connection of `listener` on this worker that has waited longest
// for a handshake or a request head, so that a full listener takes a new
// connection instead of refusing it: sockets held open, idle or slow, cannot
// starve the clients that use them. False if none has waited kEvictionGrace.
bool close_oldest_idle(Worker& worker, const Listener& listener) {
  const auto waiting_since = std::chrono::steady_clock::now() - kEvictionGrace;
  Connection* oldest = nullptr;
  for (Connection* connection : worker.connections) {
    if (connection->listener != &listener || connection->busy) continue;
    if (connection->idle_since > waiting_since) continue;
    if (oldest == nullptr || connection->idle_since < oldest->idle_since) oldest = connection;
  }
  if (oldest == nullptr) return false;
  oldest->busy = true;  // not chosen twice while its cancellation is under way
  boost::system::error_code ignored;
  oldest->socket->cancel(ignored);
  return true;
}

bool is_parse_error(const boost::system::error_code& ec) {
  return ec.category() == make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

asio::awaitable<Response> invoke_handler(const Route* route, Request request) {
  const Request head_only{request.method(), request.target(), request.version()};
  std::optional<Response> response;
  try {
    response = co_await route->handler(std::move(request));
  } catch (const std::exception& e) {
    // The request boundary: a handler bug becomes a 500, never a crash, and
    // the log names the route only, never request data.
    std::cerr << "clueline: handler for route " << route->name << " failed: " << e.what() << '\n';
  }
  if (!response) response = error_response(head_only, errc::internal, "internal error");
  co_return std::move(*response);
}

template <typename Stream>
asio::awaitable<void> discard_unread_input(Stream& stream) {
  beast::get_lowest_layer(stream).expires_after(kLingerTimeout);
  std::array<char, 16 * 1024> scratch;
  std::size_t discarded = 0;
  while (discarded < kLingerBytes) {
    auto [ec, bytes] =
        co_await stream.async_read_some(asio::buffer(scratch), use_nothrow_awaitable);
    if (ec) break;
    discarded += bytes;
  }
}

// Serves requests on an established stream until the peer closes, an error
// occurs, a response says Connection: close, or the worker drains. Returns
// true when the stream is still usable for a clean TLS shutdown.
template <typename Stream>
asio::awaitable<bool> serve_requests(Stream& stream, Listener* listener, Worker* worker,
                                     Connection* connection) {
  const Limits& limits = listener->limits;
  auto& socket_layer = beast::get_lowest_layer(stream);
  beast::flat_buffer buffer;
  bool first_request = true;
  for (;;) {
    if (worker->draining) co_return true;
    // A fresh parser per request: a parser carries state (limits, a body in
    // progress) that must never leak from one request into the next.
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    socket_layer.expires_after(first_request ? limits.read_timeout : limits.idle_timeout);
    connection->busy = false;
    connection->idle_since = std::chrono::steady_clock::now();
    auto [head_ec, head_bytes] =
        co_await http::async_read_header(stream, buffer, parser, use_nothrow_awaitable);
    connection->busy = true;
    const auto started = Clock::now();
    first_request = false;

    std::optional<Response> response;
    std::size_t route_index = Router::kUnmatched;
    bool coarse_log = listener->serves_citizens;
    bool close_after = false;
    // Taken before the handler consumes the request.
    http::verb method = http::verb::unknown;
    bool request_keep_alive = false;

    if (head_ec == http::error::header_limit) {
      response = error_response(Request{}, errc::header_too_large, "request head too large");
      close_after = true;
    } else if (is_parse_error(head_ec)) {
      response = error_response(Request{}, errc::invalid_argument, "malformed HTTP request");
      close_after = true;
    } else if (head_ec) {
      co_return false;  // peer closed, timed out, or the worker cancelled an idle read
    } else {
      const Request& head = parser.get();
      method = head.method();
      request_keep_alive = head.keep_alive();
      const Router::Match match = listener->router.match(head.method(), head.target());
      route_index = match.index;
      if (match.route != nullptr) coarse_log = listener->serves_citizens && match.route->citizen;
      const std::size_t body_limit =
          match.route != nullptr ? match.route->body_limit : limits.default_body_limit;
      const auto declared_length = parser.content_length();
      if (declared_length && *declared_length > body_limit) {
        response = error_response(head, errc::payload_too_large, "request body too large");
        close_after = true;
      } else if (match.route == nullptr) {
        response = error_response(
            head, match.error,
            match.error == errc::not_found ? "no such resource" : "method not allowed here");
        if (!match.allow.empty()) response->set(http::field::allow, match.allow);
        // The body, if any, was not read; the connection cannot be reused.
        close_after = !parser.is_done();
      } else if (std::optional<Response> early = match.route->check_head
                                                     ? match.route->check_head(parser.get())
                                                     : std::nullopt) {
        // Refused on its head (no session, say): the body is not worth reading.
        response = std::move(early);
        close_after = !parser.is_done();
      } else {
        parser.body_limit(body_limit);
        socket_layer.expires_after(limits.read_timeout);
        auto [body_ec, body_bytes] =
            co_await http::async_read(stream, buffer, parser, use_nothrow_awaitable);
        if (body_ec == http::error::body_limit) {
          response =
              error_response(parser.get(), errc::payload_too_large, "request body too large");
          close_after = true;
        } else if (is_parse_error(body_ec)) {
          response = error_response(parser.get(), errc::invalid_argument, "malformed HTTP request");
          close_after = true;
        } else if (body_ec) {
          co_return false;
        } else {
          response = co_await invoke_handler(match.route, parser.release());
        }
      }
    }

    const bool keep_alive = !close_after && !worker->draining && request_keep_alive;
    response->keep_alive(keep_alive);
    finalize_response(*response, listener->transport);
    const auto status = response->result_int();
    const auto body_size = response->body().size();

    socket_layer.expires_after(limits.write_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, *response, use_nothrow_awaitable);
    const auto latency = Clock::now() - started;
    listener->metrics->record_request(route_index, status, latency);
    listener->access_log->write(listener->name, method, listener->router.names()[route_index],
                                status, body_size, latency, coarse_log);
    if (write_ec) co_return false;
    if (close_after) {
      co_await discard_unread_input(stream);
      co_return false;
    }
    if (!keep_alive) co_return true;
    // An idle keep-alive connection keeps no read buffer: the next request
    // gets a small one again (thousands of idle connections are expected).
    if (buffer.size() == 0) buffer.shrink_to_fit();
  }
}

asio::awaitable<void> run_plain_connection(tcp::socket socket, Listener* listener, Worker* worker) {
  beast::tcp_stream stream(std::move(socket));
  ConnectionScope scope(*worker, *listener, stream.socket());
  co_await serve_requests(stream, listener, worker, &scope.connection);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> run_tls_connection(tcp::socket socket, Listener* listener, Worker* worker) {
  TlsStream stream(std::move(socket), listener->tls->native_handle());
  ConnectionScope scope(*worker, *listener, stream.socket());
  stream.expires_after(listener->limits.handshake_timeout);
  auto [handshake_ec, unused] = co_await stream.async_handshake(use_nothrow_awaitable);
  if (handshake_ec) {
    listener->metrics->handshake_failed();
    co_return;
  }
  if (co_await serve_requests(stream, listener, worker, &scope.connection)) {
    stream.expires_after(kTlsShutdownTimeout);
    co_await stream.async_shutdown(use_nothrow_awaitable);
  }
}

asio::awaitable<void> accept_connections(tcp::acceptor* acceptor, Listener* listener,
                                         Worker* worker) {
  asio::steady_timer backoff(worker->context);
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(use_nothrow_awaitable);
    if (ec) {
      if (!acceptor->is_open() || ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors or similar: pause instead of spinning.
      std::cerr << "clueline: accept on " << listener->name << " failed: " << ec.message() << '\n';
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(use_nothrow_awaitable);
      continue;
    }
    if (static_cast<std::size_t>(listener->metrics->open_connections()) >=
        listener->limits.max_connections) {
      // Only this worker's connections can be closed from here; with every
      // one of them busy, the new one is refused.
      if (!close_oldest_idle(*worker, *listener)) {
        listener->metrics->connection_rejected();
        continue;  // the socket closes as it goes out of scope
      }
      listener->metrics->idle_connection_closed();
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (listener->transport == Transport::kTls) {
      asio::co_spawn(worker->context, run_tls_connection(std::move(socket), listener, worker),
                     asio::detached);
    } else {
      asio::co_spawn(worker->context, run_plain_connection(std::move(socket), listener, worker),
                     asio::detached);
    }
  }
}

tcp::acceptor bind_acceptor(asio::io_context& context, const tcp::endpoint& endpoint,
                            bool reuse_port, const std::string& setting) {
  tcp::acceptor acceptor(context);
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && reuse_port) {
    const int one = 1;
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec.assign(errno, boost::system::system_category());
    }
  }
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error(setting + ": cannot listen on " + endpoint.address().to_string() +
                             ":" + std::to_string(endpoint.port()) + ": " + ec.message());
  }
  return acceptor;
}

// Before the intake reads them (its attachment total) and before any
// request: the statistics of a database written before they were kept are
// counted from its clues once.
storage::Store& with_counted_stats(storage::Store& store) {
  if (auto counted = storage::rebuild_stats_if_needed(store); !counted) {
    throw std::runtime_error("cannot rebuild the clue statistics: " + counted.error().message());
  }
  return store;
}

Limits limits_from(const services::Config::Server& server) {
  return {.handshake_timeout = server.handshake_timeout,
          .read_timeout = server.read_timeout,
          .write_timeout = server.write_timeout,
          .idle_timeout = server.idle_timeout,
          .header_limit = server.header_limit_bytes,
          .default_body_limit = server.body_limit_bytes,
          .max_connections = server.max_connections};
}

services::AuthSettings auth_settings(const services::Config::Accounts& accounts) {
  services::AuthSettings settings;
  settings.session_idle = accounts.session_idle;
  settings.session_absolute = accounts.session_absolute;
  settings.max_failed_logins = accounts.max_failed_logins;
  return settings;
}

}  // namespace

struct Server::Impl {
  Impl(const services::Config& config, std::shared_ptr<storage::Store> store_in)
      : store(std::move(store_in)),
        shutdown_grace(config.server.shutdown_grace),
        escalation_interval(config.deadlines.check_interval),
        access_log(config.log.access_log),
        tls(make_server_tls_context(config.server.tls_certificate, config.server.tls_private_key)),
        blocking_pool(2),
        writer(*store),
        intake(with_counted_stats(*store), config),
        account_sessions(auth_settings(config.accounts)) {
    intake_context = {
        .intake = &intake,
        .store = store.get(),
        .writer = &writer,
        .blocking_pool = &blocking_pool,
        .page_languages = {web::page_languages().begin(), web::page_languages().end()}};
    auth_context.store = store.get();
    auth_context.writer = &writer;
    auth_context.blocking_pool = &blocking_pool;
    auth_context.sessions = &account_sessions;
    auth_context.challenges = &login_challenges;
    auth_context.claims = &intake.claims();
    auth_context.registry = &intake.registry();
    auth_context.settings = auth_settings(config.accounts);
    auto auth_secret = storage::load_or_create_auth_secret(*store);
    if (!auth_secret) {
      throw std::runtime_error("cannot read or create the auth secret: " +
                               auth_secret.error().message());
    }
    auth_context.auth_secret = *auth_secret;
    admin_context.auth = &auth_context;
    admin_context.registry = &intake.registry();
    admin_context.policy = &intake.policy();
    admin_context.policy_name = config.routing.policy_file.empty()
                                    ? std::string("(built-in)")
                                    : config.routing.policy_file.string();
    ops_state.store = store.get();
    ops_state.writer = &writer;
    ops_state.intake = &intake;
    ops_state.blocking_pool = &blocking_pool;
    ops_state.data_dir = config.storage.data_dir;
    ops_state.min_free_disk_bytes = config.ops.min_free_disk_bytes;
    ops_state.certificate_not_after = certificate_not_after(config.server.tls_certificate);
    ops_state.certificate_expiry_days = config.ops.certificate_expiry_days;
    ops_state.started = std::chrono::system_clock::now();

    public_listener.name = "public";
    public_listener.transport = Transport::kTls;
    public_listener.tls = &tls;
    public_listener.limits = limits_from(config.server);
    public_listener.access_log = &access_log;
    public_listener.serves_citizens = true;
    clue_work_context.auth = &auth_context;
    clue_work_context.deadlines = &intake.deadline_policy();
    clue_work_context.policy = &intake.policy();
    clue_work_context.public_base_url = config.server.public_base_url;
    add_public_listener_routes(public_listener.router, &intake_context, &auth_context,
                               &admin_context, &clue_work_context);
    public_listener.metrics =
        std::make_unique<Metrics>(public_listener.name, public_listener.router.names());

    ops_listener.name = "ops";
    ops_listener.transport = Transport::kPlain;
    ops_listener.limits = limits_from(config.server);
    ops_listener.access_log = &access_log;
    add_ops_routes(ops_listener.router, &ops_state);
    ops_listener.metrics =
        std::make_unique<Metrics>(ops_listener.name, ops_listener.router.names());
    ops_state.listener_metrics = {public_listener.metrics.get(), ops_listener.metrics.get()};

    unsigned threads = config.server.threads;
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < threads; ++i) workers.push_back(std::make_unique<Worker>());

    // Port 0 asks for an ephemeral port; the other workers then join the
    // port the first one got, which SO_REUSEPORT allows.
    tcp::endpoint public_endpoint(asio::ip::make_address(config.server.address),
                                  config.server.port);
    for (auto& worker : workers) {
      worker->acceptors.push_back(
          bind_acceptor(worker->context, public_endpoint, true, "server.port"));
      public_endpoint.port(worker->acceptors.back().local_endpoint().port());
    }
    public_port = public_endpoint.port();
    workers.front()->acceptors.push_back(bind_acceptor(
        workers.front()->context, {asio::ip::make_address(config.ops.address), config.ops.port},
        false, "ops.port"));
    ops_port = workers.front()->acceptors.back().local_endpoint().port();
  }

  void start() {
    // Before the listeners: /metrics may read the job's stats from the start.
    escalation = std::make_unique<services::EscalationJob>(*store, writer, intake.registry(),
                                                           intake.deadline_policy(),
                                                           intake.claims(), escalation_interval);
    ops_state.escalation = escalation.get();
    for (auto& worker : workers) {
      for (std::size_t i = 0; i < worker->acceptors.size(); ++i) {
        Listener* listener = i == 0 ? &public_listener : &ops_listener;
        asio::co_spawn(worker->context,
                       accept_connections(&worker->acceptors[i], listener, worker.get()),
                       asio::detached);
      }
    }
    running_threads = workers.size();
    for (auto& worker : workers) {
      worker->thread = std::thread(&Impl::run_worker, this, worker.get());
    }
    started = true;
  }

  void run_worker(Worker* worker) {
    // Named so that top -H and perf tell network threads from the
    // group-commit writer and RocksDB's own threads.
    pthread_setname_np(pthread_self(), "clueline-net");
    worker->context.run();
    std::lock_guard lock(mutex);
    --running_threads;
    threads_done.notify_all();
  }

  void shutdown() {
    if (!started || stopped) return;
    stopped = true;
    for (auto& worker : workers) {
      asio::post(worker->context, std::bind_front(&begin_draining, std::ref(*worker)));
    }
    {
      std::unique_lock lock(mutex);
      if (!threads_done.wait_for(lock, shutdown_grace, [this] { return running_threads == 0; })) {
        std::cerr << "clueline: shutdown grace period over; abandoning " << running_threads
                  << " busy network thread(s)\n";
      }
    }
    for (auto& worker : workers) worker->context.stop();
    for (auto& worker : workers) worker->thread.join();
    blocking_pool.join();
    // Waits for a pass in progress; its writes still go through `writer`.
    ops_state.escalation = nullptr;
    escalation.reset();
  }

  std::shared_ptr<storage::Store> store;
  std::chrono::seconds shutdown_grace;
  std::chrono::seconds escalation_interval;
  AccessLog access_log;
  ssl::context tls;
  asio::thread_pool blocking_pool;
  // Destroyed before `store`: its destructor writes what is still queued.
  storage::GroupCommitWriter writer;
  services::Intake intake;
  // Destroyed before `intake` and `writer`, which it uses.
  std::unique_ptr<services::EscalationJob> escalation;
  services::CitizenContext intake_context;
  services::AccountSessions account_sessions;
  services::LoginChallenges login_challenges;
  services::AuthContext auth_context;
  services::AdminContext admin_context;
  services::ClueWorkContext clue_work_context;
  OpsState ops_state;
  Listener public_listener;
  Listener ops_listener;
  std::vector<std::unique_ptr<Worker>> workers;
  std::uint16_t public_port = 0;
  std::uint16_t ops_port = 0;

  std::mutex mutex;
  std::condition_variable threads_done;
  std::size_t running_threads = 0;
  bool started = false;
  bool stopped = false;
};

Server::Server(const services::Config& config, std::shared_ptr<storage::Store> store)
    : impl_(std::make_unique<Impl>(config, std::move(store))) {}

Server::~Server() { shutdown(); }

void Server::start() { impl_->start(); }
void Server::shutdown() { impl_->shutdown(); }
std::uint16_t Server::public_port() const noexcept { return impl_->public_port; }
std::uint16_t Server::ops_port() const noexcept { return impl_->ops_port; }

void block_termination_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int wait_for_termination_signal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  return received;
}

}  // namespace clueline::server
