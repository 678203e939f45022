// Short names for the Asio/Beast types the server module uses everywhere.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace clueline::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Completion token for coroutines that inspect error codes instead of
// catching exceptions: every network failure is an expected event.
inline constexpr auto use_nothrow_awaitable = asio::as_tuple(asio::use_awaitable);

}  // namespace clueline::server
