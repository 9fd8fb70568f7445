#pragma once
// Runs an operation against a deadline: when the deadline passes first, the operation is
// cancelled (through its cancellation slot) and the result is nullopt. Meant for rare, whole
// operations (a connect, an HTTP exchange), since each use allocates a parallel group.

#include <optional>
#include <utility>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "transport.hpp"

namespace containerflare::detail {

template <class T>
task<std::optional<T>> with_deadline(task<T> operation, clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto outcome = co_await (std::move(operation) ||
                           timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable)));
  if (outcome.index() == 0) co_return std::move(std::get<0>(outcome));
  co_return std::nullopt;
}

}  // namespace containerflare::detail
