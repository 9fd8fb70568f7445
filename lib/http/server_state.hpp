#pragma once
// State shared by a server's accept loop and its connections (all on one io_context).

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "containerflare/config.hpp"
#include "containerflare/context.hpp"
#include "containerflare/router.hpp"

namespace containerflare::detail {

class connection;

struct server_state : std::enable_shared_from_this<server_state> {
  server_state(asio::io_context& io, const router& app, server_config cfg, runtime_services svc);

  asio::io_context& io;
  const router& app;
  server_config config;
  runtime_services services;
  asio::ip::tcp::acceptor acceptor;
  asio::steady_timer slot_timer;      // wakes the accept loop when a connection slot frees up
  asio::steady_timer shutdown_timer;  // the drain deadline
  bool accepting = false;
  bool stopping = false;
  std::function<void()> on_drained;

  // Intrusive list of live connections (no allocation per connection for bookkeeping).
  connection* first = nullptr;
  std::size_t count = 0;

  void add(connection* c) noexcept;
  void remove(connection* c) noexcept;
  // Called by the accept loop and by remove(): fires on_drained when stopping and empty.
  void check_drained();
};

}  // namespace containerflare::detail
