#include "call_table.hpp"

#include <doctest/doctest.h>

#include <asio/io_context.hpp>

using containerflare::detail::call_table;
using containerflare::detail::pending_call;

namespace {

// Three calls registered in send order: calls[i] under ids[i].
struct three_calls {
  three_calls() {
    for (std::size_t i = 0; i < 3; ++i) {
      ids[i] = table.next_id();
      table.add(ids[i], &calls[i]);
    }
  }
  asio::io_context io;
  call_table table;
  pending_call calls[3] = {pending_call(io.get_executor()), pending_call(io.get_executor()),
                           pending_call(io.get_executor())};
  std::uint64_t ids[3] = {};
};

}  // namespace

TEST_CASE("replies with ids find their calls in any order") {
  three_calls t;
  CHECK(t.ids[0] != t.ids[1]);
  CHECK(t.table.take(t.ids[1]) == &t.calls[1]);
  CHECK(t.table.take(t.ids[1]) == nullptr);  // a duplicate reply finds nothing
  CHECK(t.table.take(t.ids[2]) == &t.calls[2]);
  CHECK(t.table.take(999) == nullptr);
  CHECK(t.table.take(t.ids[0]) == &t.calls[0]);
  CHECK(t.table.live() == 0);
  CHECK(t.table.tracked() == 0);
}

TEST_CASE("replies without ids go to the oldest outstanding call") {
  three_calls t;
  CHECK(t.table.take_oldest() == &t.calls[0]);
  CHECK(t.table.take_oldest() == &t.calls[1]);
  CHECK(t.table.take_oldest() == &t.calls[2]);
  CHECK(t.table.take_oldest() == nullptr);
}

TEST_CASE("a late reply without id is dropped, not handed to the next call") {
  three_calls t;
  t.table.abandon(t.ids[0]);                // timed out
  CHECK(t.table.take_oldest() == nullptr);  // the late reply to ids[0]
  CHECK(t.table.take_oldest() == &t.calls[1]);
}

TEST_CASE("once the host sends ids, abandoned calls are forgotten") {
  three_calls t;
  t.table.abandon(t.ids[0]);
  CHECK(t.table.take(t.ids[0]) == nullptr);  // late, by id
  CHECK(t.table.take(t.ids[1]) == &t.calls[1]);
  CHECK(t.table.take(t.ids[2]) == &t.calls[2]);
  CHECK(t.table.tracked() == 0);  // nothing kept for the abandoned call
}

TEST_CASE("take_all hands back live calls in send order and resets the table") {
  three_calls t;
  t.table.abandon(t.ids[1]);
  const auto all = t.table.take_all();
  REQUIRE(all.size() == 2);
  CHECK(all[0] == &t.calls[0]);
  CHECK(all[1] == &t.calls[2]);
  CHECK(t.table.live() == 0);
  CHECK(t.table.take_oldest() == nullptr);
  CHECK(t.table.next_id() > t.ids[2]);  // ids never repeat across connections
}

TEST_CASE("completing a call wakes its timer") {
  asio::io_context io;
  pending_call call(io.get_executor());
  call.timer.expires_at(asio::steady_timer::time_point::max());
  std::error_code woke_with;
  call.timer.async_wait([&](std::error_code e) { woke_with = e; });
  call.complete(containerflare::command_result::success(1));
  io.run();
  CHECK(woke_with == asio::error::operation_aborted);
  REQUIRE(call.result);
  CHECK(call.result->payload == 1);
}
