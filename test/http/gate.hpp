#pragma once
// A gate that handlers wait on until the test opens it, so that a test decides exactly when a
// handler (or a stream producer) goes on. All of its calls happen on the server's io_context
// thread: handlers await passed(), the test asio::post()s open().

#include <algorithm>
#include <chrono>
#include <vector>

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
    // Each waiter sleeps on its own never-expiring timer, which lives in the waiting coroutine:
    // the gate holds no I/O object, so it may outlive the io_context. open() cancels the timers
    // and each waiter checks the count (an open() before the wait is not lost).
    asio::steady_timer timer(executor, std::chrono::steady_clock::time_point::max());
    const registration registered(*this, timer);
    while (opened_ < times) {
      co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
  }

  void open() {
    ++opened_;
    for (auto* timer : waiters_) timer->cancel();
  }

  unsigned times_opened() const noexcept { return opened_; }
  // Coroutines waiting right now.
  std::size_t waiting() const noexcept { return waiters_.size(); }

 private:
  // Lists a waiter's timer while its coroutine exists (also when the coroutine is destroyed
  // without resuming, e.g. with its io_context).
  struct registration {
    registration(gate& g, asio::steady_timer& t) : owner(g), timer(&t) {
      owner.waiters_.push_back(timer);
    }
    ~registration() { std::erase(owner.waiters_, timer); }
    registration(const registration&) = delete;
    registration& operator=(const registration&) = delete;
    gate& owner;
    asio::steady_timer* timer;
  };

  std::vector<asio::steady_timer*> waiters_;
  unsigned opened_ = 0;
};

}  // namespace containerflare::test
