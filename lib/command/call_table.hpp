#pragma once
// The calls waiting for a reply on one stream, matched by id, or in send order for replies
// without an id (a Rust-era host answers in order). A call that timed out is "abandoned": its
// late reply is recognised and dropped, never handed to the next call — by id, or in order
// while the host has not shown that it sends ids.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include "containerflare/command/result.hpp"

namespace containerflare::detail {

// One waiting coroutine: it sleeps on `timer` until its deadline; complete() wakes it early.
struct pending_call {
  explicit pending_call(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  std::optional<command_result> result;

  void complete(command_result r) {
    result = std::move(r);
    timer.cancel();
  }
};

class call_table {
 public:
  std::uint64_t next_id() noexcept { return ++last_id_; }

  void add(std::uint64_t id, pending_call* call);
  // A reply carrying `id`: its live call, or nullptr (late or unknown: drop the reply).
  pending_call* take(std::uint64_t id);
  // A reply without id: the oldest call still owed a reply, or nullptr when that one was
  // abandoned (this is its late reply) or none is outstanding.
  pending_call* take_oldest();
  // The call stopped waiting (timeout, or its coroutine went away).
  void abandon(std::uint64_t id);
  // The stream is gone: every live call, and a fresh table (ids keep counting).
  std::vector<pending_call*> take_all();

  std::size_t live() const noexcept { return live_.size(); }
  std::size_t tracked() const noexcept { return order_.size(); }

 private:
  void drop_answered_front();

  std::unordered_map<std::uint64_t, pending_call*> live_;
  std::unordered_set<std::uint64_t> abandoned_;  // only while the host has sent no id
  std::deque<std::uint64_t> order_;              // send order; answered ids leave lazily
  bool host_sends_ids_ = false;
  std::uint64_t last_id_ = 0;
};

}  // namespace containerflare::detail
