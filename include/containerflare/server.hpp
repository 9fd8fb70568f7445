#pragma once
// The HTTP/1.1 server and the entry points run() and serve().

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <system_error>

#include <asio/io_context.hpp>

#include "containerflare/config.hpp"
#include "containerflare/context.hpp"
#include "containerflare/router.hpp"

namespace containerflare {

namespace detail {
struct server_state;
}

// One listener and its connections on one io_context. run()/serve() build this for you; tests
// use it directly to run a server on an ephemeral port inside the test process.
class server {
 public:
  server(asio::io_context& io, const router& app, server_config config,
         runtime_services services = {});
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds and listens (SO_REUSEADDR, and SO_REUSEPORT when `reuse_port`). Nothing slow happens
  // before this, so readiness probes are answered as early as possible.
  std::error_code listen(bool reuse_port = false);
  std::uint16_t port() const noexcept;

  // Starts accepting (the accept loop runs on the io_context).
  void start();
  // Graceful stop: close the listener, let in-flight requests finish (idle keep-alive
  // connections are closed at once), force-close whatever is left after the shutdown timeout.
  // `done` runs on the io_context when every connection is gone.
  void shutdown(std::function<void()> done = {});

  std::size_t connection_count() const noexcept;
  const server_config& config() const noexcept;

 private:
  std::shared_ptr<detail::server_state> state_;
};

// Serves `app` with `config` until SIGTERM/SIGINT, then drains and returns 0 (non-zero when it
// cannot listen).
int serve(const router& app, const server_config& config);
// Reads the configuration from the environment (see server_config::from_environment), sets up
// logging, the runtime environment and the command channel, then serve(). Returns the exit code;
// an invalid variable is reported on stderr and returns 2.
int run(const router& app);
// run() with command-line handling for programs: `--health-check [PATH]` probes a running
// server (exit 0 on a 2xx answer; see health_check.hpp), `--help` prints usage. Anything else is
// an error (exit 2).
int run(const router& app, int argc, char** argv);

}  // namespace containerflare
