// A server for the graceful-shutdown test. GET /gate holds its request until the gate opens: the
// gate is the read end of a pipe (file descriptor GATE_FD) and opens when the test closes the
// write end. GET /count answers how many requests are held. Signals, configuration and the drain
// are those of containerflare::run().

#include <unistd.h>

#include <cstdlib>
#include <string>

#include <asio/buffer.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/use_awaitable.hpp>
#include <containerflare/containerflare.hpp>

namespace cf = containerflare;

int main(int argc, char** argv) {
  const char* gate_variable = std::getenv("GATE_FD");
  if (gate_variable == nullptr) return 2;
  const int gate_fd = std::atoi(gate_variable);
  auto held = std::make_shared<int>(0);  // one event loop: no synchronisation needed

  cf::router app;
  app.get("/gate", [gate_fd, held](cf::request&, cf::context& ctx) -> cf::task<cf::response> {
    ++*held;
    // Each held request waits on its own duplicate of the pipe; end of file releases them all.
    asio::posix::stream_descriptor gate(ctx.executor(), ::dup(gate_fd));
    char byte = 0;
    co_await gate.async_read_some(asio::buffer(&byte, 1),
                                  asio::experimental::as_tuple(asio::use_awaitable));
    --*held;
    co_return cf::text("released");
  });
  app.get("/count", [held](cf::request&, cf::context&) -> cf::task<cf::response> {
    co_return cf::text(std::to_string(*held));
  });
  return cf::run(app, argc, argv);
}
