// A program that links only containerflare-command (no HTTP runtime): it talks to a host on a
// Unix socket with invoke and the kv helper, and exits 0 when every answer is right.

#include <cstdio>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "containerflare/command.hpp"
#include "line_host.hpp"

namespace cf = containerflare;
namespace json = boost::json;

namespace {

cf::task<int> exercise(cf::command_client& client) {
  // With g++ 12 a braced payload must not sit inside the co_await expression itself.
  auto ping = client.invoke("ping", {{"n", 1}});
  const auto pong = co_await std::move(ping);
  if (pong.at("payload").at("n") != 1) co_return 1;
  const auto value = co_await cf::kv(client).get("greeting");
  if (value != std::optional<std::string>("hello")) co_return 2;
  const auto failed = co_await client.try_invoke("unknown");
  if (failed.kind() != cf::command_errc::command_failure) co_return 3;
  co_return 0;
}

}  // namespace

int main() {
  asio::io_context io;
  cftest::line_host host(io, cftest::line_host::listen_on::unix_socket);
  host.respond_with([](const cftest::received& r) -> std::optional<std::string> {
    if (r.command == "ping") return cftest::reply_line(r.id, cftest::echo_payload(r));
    if (r.command == "kv.get") return cftest::reply_line(r.id, "hello");
    return cftest::reply_line(r.id, nullptr, false, "unknown command");
  });
  cf::command_options options;
  options.endpoint = cf::command_endpoint::parse(host.endpoint());
  cf::command_client client(io, options);
  int status = -1;
  asio::co_spawn(io, exercise(client), [&](std::exception_ptr error, int result) {
    status = error ? 4 : result;
    io.stop();
  });
  io.run();
  std::fprintf(stderr, "standalone command client: %s (status %d)\n", status == 0 ? "ok" : "FAILED",
               status);
  return status;
}
