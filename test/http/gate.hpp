#pragma once
// A gate that handlers wait on until the test opens it, so that a test decides exactly when a
// handler (or a stream producer) goes on. All of its calls happen on the server's io_context
// thread: handlers await passed(), the test asio::post()s open().

#include <chrono>
#include <optional>

#include <asio/any_io_executor.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "containerflare/task.hpp"

namespace containerflare::test {

class gate {
 public:
  // Returns once open() has been called at least `times` times.
  task<void> passed(asio::any_io_executor executor, unsigned times = 1) {
    // The timer never expires; open() cancels it to wake every waiter and each waiter checks the
    // count, so an open() that ran before the wait is not lost.
    if (!timer_) timer_.emplace(executor, std::chrono::steady_clock::time_point::max());
    ++waiting_;
    while (opened_ < times) {
      co_await timer_->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    --waiting_;
  }

  void open() {
    ++opened_;
    if (timer_) timer_->cancel();
  }

  unsigned times_opened() const noexcept { return opened_; }
  // Handlers waiting right now.
  unsigned waiting() const noexcept { return waiting_; }

 private:
  std::optional<asio::steady_timer> timer_;
  unsigned opened_ = 0;
  unsigned waiting_ = 0;
};

}  // namespace containerflare::test
