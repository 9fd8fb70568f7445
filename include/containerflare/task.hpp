#pragma once
// Handlers and everything they await are Asio coroutines on the connection's io_context.

#include <asio/awaitable.hpp>

namespace containerflare {

template <class T = void>
using task = asio::awaitable<T>;

}  // namespace containerflare
