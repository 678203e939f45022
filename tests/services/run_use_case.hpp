// Running a use case's coroutine to completion on a private io_context, for
// tests that call services without a server.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <utility>

namespace clueline::testing {

// The use case's result (rethrows what it threw).
template <typename T>
T run_use_case(boost::asio::awaitable<T> use_case) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(use_case), boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace clueline::testing
