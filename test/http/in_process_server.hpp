#pragma once
// A containerflare::server on 127.0.0.1 with an ephemeral port, running its io_context on a
// thread of the test process, so that tests talk to it over real sockets from the test thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <thread>
#include <type_traits>

#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include "containerflare/config.hpp"
#include "containerflare/router.hpp"
#include "containerflare/server.hpp"

namespace containerflare::test {

// Loopback, any free port, and timeouts short enough for tests (each test shortens the one it
// exercises further).
server_config test_config();

class in_process_server {
 public:
  // Listens and starts serving `app`. Throws std::system_error when it cannot listen.
  in_process_server(router app, server_config config = test_config());
  // Stops gracefully (see stop()).
  ~in_process_server();
  in_process_server(const in_process_server&) = delete;
  in_process_server& operator=(const in_process_server&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  const server_config& config() const noexcept { return server_.config(); }
  asio::io_context& io() noexcept { return io_; }

  // Runs `f` on the server's thread and returns its result.
  template <class F>
  auto on_server_thread(F f) -> std::invoke_result_t<F> {
    std::packaged_task<std::invoke_result_t<F>()> work(std::move(f));
    auto result = work.get_future();
    asio::post(io_, [&work] { work(); });
    return result.get();
  }

  // Open connections, read on the server's thread.
  std::size_t connection_count();

  // Starts server::shutdown() on the server's thread; the loop stops when the drain is done.
  void begin_shutdown();
  // Waits up to `timeout` for the drain that begin_shutdown() started; true when it finished.
  bool wait_drained(std::chrono::milliseconds timeout);

  // begin_shutdown(), then waits (bounded) for the drain and the end of the thread. Returns false
  // when the drain did not finish within `deadline` (the loop is then stopped anyway).
  bool stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));

 private:
  router app_;
  asio::io_context io_{1};
  server server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::promise<void> drained_;
  std::future<void> drained_future_ = drained_.get_future();
  bool shutdown_started_ = false;
  bool stopped_ = false;
};

}  // namespace containerflare::test
