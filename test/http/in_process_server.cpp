#include "http/in_process_server.hpp"

#include <system_error>

namespace containerflare::test {

server_config test_config() {
  using std::chrono::milliseconds;
  server_config c;
  c.address = "127.0.0.1";
  c.port = 0;
  c.header_timeout = milliseconds(5'000);
  c.idle_timeout = milliseconds(5'000);
  c.write_timeout = milliseconds(5'000);
  c.body_timeout = milliseconds(5'000);
  c.shutdown_timeout = milliseconds(5'000);
  c.linger_timeout = milliseconds(1'000);
  return c;
}

in_process_server::in_process_server(router app, server_config config)
    : app_(std::move(app)), server_(io_, app_, std::move(config)) {
  if (auto ec = server_.listen()) throw std::system_error(ec, "listen");
  port_ = server_.port();
  server_.start();
  thread_ = std::thread([this] { io_.run(); });
}

in_process_server::~in_process_server() {
  stop();
}

std::size_t in_process_server::connection_count() {
  return on_server_thread([this] { return server_.connection_count(); });
}

void in_process_server::begin_shutdown() {
  if (shutdown_started_) return;
  shutdown_started_ = true;
  asio::post(io_, [this] {
    server_.shutdown([this] {
      drained_.set_value();
      io_.stop();
    });
  });
}

bool in_process_server::wait_drained(std::chrono::milliseconds timeout) {
  return drained_future_.wait_for(timeout) == std::future_status::ready;
}

bool in_process_server::stop(std::chrono::milliseconds deadline) {
  if (stopped_) return true;
  stopped_ = true;
  begin_shutdown();
  const bool in_time = wait_drained(deadline);
  if (!in_time) io_.stop();  // io_context::stop is thread-safe
  thread_.join();
  return in_time;
}

}  // namespace containerflare::test
