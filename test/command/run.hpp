#pragma once
// Runs one coroutine to completion on an io_context and hands back its result (or rethrows).
// The io_context is stopped when the coroutine ends, so hosts with endless accept loops on the
// same context do not keep the test waiting.

#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "containerflare/task.hpp"

namespace cftest {

template <class T>
T run(asio::io_context& io, containerflare::task<T> work) {
  using stored = std::conditional_t<std::is_void_v<T>, bool, T>;
  std::optional<stored> result;
  std::exception_ptr error;
  bool done = false;
  auto finish = [&](std::exception_ptr e) {
    error = e;
    done = true;
    io.stop();
  };
  if constexpr (std::is_void_v<T>) {
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e) { finish(e); });
  } else {
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
      if (!e) result.emplace(std::move(value));
      finish(e);
    });
  }
  io.restart();
  io.run();
  if (!done) throw std::runtime_error("the io_context ran out of work before the test finished");
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

}  // namespace cftest
