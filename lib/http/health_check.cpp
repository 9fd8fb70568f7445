// `PROGRAM --health-check`: a shell-free probe for Docker's HEALTHCHECK in a FROM scratch image.

#include "containerflare/health_check.hpp"

#include <chrono>
#include <string>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include "containerflare/config.hpp"
#include "containerflare/log.hpp"
#include "http/startup.hpp"

namespace containerflare {

int health_check(std::string_view path, std::chrono::milliseconds timeout) {
  const auto found = detail::server_config_from_env();
  if (!found) return 2;
  const server_config& config = *found;
  asio::io_context io(1);
  asio::ip::tcp::socket socket(io);
  // The listener may be bound to 0.0.0.0 or a specific address; probe over loopback unless it is
  // a specific one.
  std::string host = config.address;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  const std::string req =
      "GET " + std::string(path) + " HTTP/1.1\r\nHost: localhost\r\n" + "Connection: close\r\n\r\n";
  std::string reply;
  int exit_code = 1;
  std::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return 1;
  socket.async_connect({address, config.port}, [&](std::error_code cec) {
    if (cec) return;
    asio::async_write(socket, asio::buffer(req), [&](std::error_code wec, std::size_t) {
      if (wec) return;
      reply.resize(64);
      asio::async_read(
          socket, asio::buffer(reply), asio::transfer_at_least(12),
          [&](std::error_code, std::size_t n) {
            reply.resize(n);
            // "HTTP/1.1 200 OK": healthy on any 2xx.
            if (reply.size() >= 12 && reply.compare(0, 5, "HTTP/") == 0 && reply[9] == '2') {
              exit_code = 0;
            }
          });
    });
  });
  io.run_for(timeout);
  return exit_code;
}

}  // namespace containerflare
