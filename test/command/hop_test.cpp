// invoke() awaited from a coroutine on another io_context (another thread): the call runs on
// the client's owner and the caller resumes on its own executor.

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>

#include "calls.hpp"
#include "containerflare/command/client.hpp"
#include "line_host.hpp"

namespace cf = containerflare;
using namespace std::chrono_literals;
using cftest::line_host;

namespace {

// A host and a client of it on an io_context that a thread of its own runs (the owner).
struct owner_loop {
  explicit owner_loop(line_host::listen_on kind, line_host::responder responder = {})
      : host(io, kind), client(io, cftest::options_for(host.endpoint())) {
    if (responder) host.respond_with(std::move(responder));  // before the thread starts
    thread = std::thread([this] { io.run(); });
  }
  // Closes the client and the host on the owner's thread, then stops it.
  ~owner_loop() {
    std::promise<void> done;
    asio::post(io, [&] {
      client.close();
      host.stop();
      io.stop();
      done.set_value();
    });
    done.get_future().wait();
    guard.reset();
    thread.join();
  }

  asio::io_context io;
  line_host host;
  cf::command_client client;
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  std::thread thread;
};

// Runs `work` on `io` until the context runs out of work. Unlike cftest::run it does not stop
// the context early: the owner still holds work on this context for a moment after each call
// returns (its copy of our executor), and the context must not be destroyed before that ends.
void run_caller(asio::io_context& io, cf::task<void> work) {
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(work), [&failure](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

TEST_CASE("invoke from another io_context hops to the owner and back") {
  std::atomic<std::thread::id> host_thread{};
  owner_loop owner(line_host::listen_on::unix_socket,
                   [&host_thread](const cftest::received& r) -> std::optional<std::string> {
                     host_thread = std::this_thread::get_id();
                     return cftest::reply_line(r.id, cftest::echo_payload(r));
                   });
  asio::io_context caller_io;
  const auto caller_id = std::this_thread::get_id();
  int resumed_on_caller = 0;
  run_caller(caller_io, [&]() -> cf::task<void> {
    for (int i = 0; i < 200; ++i) {
      auto reply = co_await owner.client.invoke("hop", i);
      CHECK(reply.at("payload") == i);
      if (std::this_thread::get_id() == caller_id) ++resumed_on_caller;
    }
    // Failures cross the hop too.
    const auto failed = co_await owner.client.try_invoke("slow", nullptr, {0ms});
    CHECK(failed.kind() == cf::command_errc::timeout);
  }());
  CHECK(resumed_on_caller == 200);
  CHECK(host_thread.load() == owner.thread.get_id());
}

TEST_CASE("invokes from several threads at once on one owner") {
  owner_loop owner(line_host::listen_on::tcp);
  std::atomic<int> correct{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t) {
    callers.emplace_back([&owner, &correct, t] {
      asio::io_context io;
      run_caller(io, [&owner, &correct, t]() -> cf::task<void> {
        for (int i = 0; i < 100; ++i) {
          const int n = t * 1000 + i;
          auto reply = co_await owner.client.invoke("mt", n);
          if (reply.at("payload") == n) ++correct;
        }
      }());
    });
  }
  for (auto& caller : callers) caller.join();
  CHECK(correct == 300);
}
