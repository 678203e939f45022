// Moving blocking work off the network threads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

namespace clueline::services {

namespace asio = boost::asio;

namespace detail {
template <typename Function>
asio::awaitable<std::invoke_result_t<Function>> call_blocking(Function function) {
  co_return function();
}
}  // namespace detail

// Runs `function` on `pool` and resumes the caller on its own executor with
// the result (or rethrows what the function threw). For disk I/O, Argon2id
// and anything else that may block for more than a few microseconds.
template <typename Function>
asio::awaitable<std::invoke_result_t<Function>> run_blocking(asio::thread_pool& pool,
                                                             Function function) {
  co_return co_await asio::co_spawn(pool, detail::call_blocking(std::move(function)),
                                    asio::use_awaitable);
}

}  // namespace clueline::services
