#pragma once
// Starts invokes as separate coroutines (so many are in flight at once) and lets a test wait
// until a given number of them have finished, in whatever order.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "containerflare/command/error.hpp"
#include "containerflare/command/options.hpp"
#include "containerflare/command/result.hpp"
#include "containerflare/task.hpp"

namespace cftest {

// Options for `endpoint` with a timeout no test should reach and no reconnect backoff.
inline containerflare::command_options options_for(const std::string& endpoint) {
  containerflare::command_options options;
  options.endpoint = containerflare::command_endpoint::parse(endpoint);
  options.timeout = std::chrono::seconds(10);
  options.reconnect_backoff = std::chrono::milliseconds(0);
  return options;
}

class calls {
 public:
  explicit calls(asio::io_context& io) : io_(io), signal_(io) {}

  // Index of the call in `results`.
  std::size_t start(containerflare::task<containerflare::command_result> call) {
    const auto index = results.size();
    results.emplace_back();
    asio::co_spawn(io_, std::move(call),
                   [this, index](std::exception_ptr error, containerflare::command_result r) {
                     if (error) std::rethrow_exception(error);
                     results[index] = std::move(r);
                     ++finished_;
                     signal_.cancel();
                   });
    return index;
  }

  // Until at least `count` calls have finished.
  containerflare::task<void> wait_for(std::size_t count) {
    while (finished_ < count) {
      signal_.expires_at(asio::steady_timer::time_point::max());
      std::error_code ignored;
      co_await signal_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
  }
  containerflare::task<void> wait_all() { return wait_for(results.size()); }
  // Until call `index` has finished.
  containerflare::task<void> wait(std::size_t index) {
    while (!results[index]) {
      signal_.expires_at(asio::steady_timer::time_point::max());
      std::error_code ignored;
      co_await signal_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
  }

  std::size_t finished() const noexcept { return finished_; }
  std::vector<std::optional<containerflare::command_result>> results;

 private:
  asio::io_context& io_;
  asio::steady_timer signal_;
  std::size_t finished_ = 0;
};

// The command_error that `work` throws, if any. Tests await this instead of writing try/catch
// around a co_await in a large coroutine, which g++ 12 answers with a false
// -Wmismatched-new-delete.
template <class T>
containerflare::task<std::optional<containerflare::command_error>> error_from(
    containerflare::task<T> work) {
  try {
    (void)co_await std::move(work);
  } catch (const containerflare::command_error& e) {
    co_return e;
  }
  co_return std::nullopt;
}

}  // namespace cftest
