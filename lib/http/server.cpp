#include "containerflare/server.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/address.hpp>
#include <asio/use_awaitable.hpp>

#include "containerflare/log.hpp"
#include "http/connection.hpp"
#include "http/server_state.hpp"

namespace containerflare {

namespace detail {

namespace {
constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);
}

server_state::server_state(asio::io_context& ctx, const router& r, server_config cfg,
                           runtime_services svc)
    : io(ctx),
      app(r),
      config(std::move(cfg)),
      services(svc),
      acceptor(ctx),
      slot_timer(ctx),
      shutdown_timer(ctx) {}

void server_state::add(connection* c) noexcept {
  c->next = first;
  if (first) first->prev = c;
  first = c;
  ++count;
}

void server_state::remove(connection* c) noexcept {
  if (c->prev) c->prev->next = c->next;
  if (c->next) c->next->prev = c->prev;
  if (first == c) first = c->next;
  c->prev = c->next = nullptr;
  --count;
  slot_timer.cancel();  // a slot is free: wake the accept loop if it waits for one
  check_drained();
}

void server_state::check_drained() {
  if (!stopping || accepting || count != 0 || !on_drained) return;
  shutdown_timer.cancel();
  auto done = std::move(on_drained);
  on_drained = nullptr;
  asio::post(io, std::move(done));
}

namespace {

task<void> serve_connection(std::shared_ptr<connection> c) {
  co_await c->run();
}

task<void> accept_loop(std::shared_ptr<server_state> s) {
  s->accepting = true;
  while (!s->stopping) {
    if (s->count >= s->config.max_connections) {
      // At the limit: leave further clients in the kernel's backlog until a slot frees up.
      s->slot_timer.expires_after(std::chrono::seconds(1));
      co_await s->slot_timer.async_wait(nothrow);
      continue;
    }
    auto [ec, socket] = co_await s->acceptor.async_accept(nothrow);
    if (s->stopping) break;
    if (ec) {
      if (ec == asio::error::operation_aborted) break;
      // EMFILE and friends: back off briefly instead of spinning.
      log::warn("accept failed", {{"error", ec.message()}});
      s->slot_timer.expires_after(std::chrono::milliseconds(50));
      co_await s->slot_timer.async_wait(nothrow);
      continue;
    }
    auto c = std::make_shared<connection>(s, std::move(socket));
    asio::co_spawn(s->io, serve_connection(std::move(c)), asio::detached);
  }
  s->accepting = false;
  s->check_drained();
}

}  // namespace
}  // namespace detail

server::server(asio::io_context& io, const router& app, server_config config,
               runtime_services services)
    : state_(std::make_shared<detail::server_state>(io, app, std::move(config), services)) {}

server::~server() {
  std::error_code ignored;
  state_->acceptor.close(ignored);
}

std::error_code server::listen(bool reuse_port) {
  std::error_code ec;
  const auto address = asio::ip::make_address(state_->config.address, ec);
  if (ec) return ec;
  const asio::ip::tcp::endpoint ep(address, state_->config.port);
  auto& acc = state_->acceptor;
  acc.open(ep.protocol(), ec);
  if (ec) return ec;
  acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (reuse_port) {
    const int one = 1;
    if (::setsockopt(acc.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      return {errno, std::system_category()};
    }
  }
  acc.bind(ep, ec);
  if (ec) return ec;
  acc.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

std::uint16_t server::port() const noexcept {
  std::error_code ec;
  const auto ep = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void server::start() {
  asio::co_spawn(state_->io, detail::accept_loop(state_), asio::detached);
}

void server::shutdown(std::function<void()> done) {
  auto& s = *state_;
  if (s.stopping) return;
  s.stopping = true;
  s.on_drained = done ? std::move(done) : [] {};
  std::error_code ignored;
  s.acceptor.close(ignored);  // new connections are refused from here on
  s.slot_timer.cancel();
  for (auto* c = s.first; c != nullptr;) {
    auto* next = c->next;  // on_server_stopping may close c (it unlinks later, on destruction)
    c->on_server_stopping();
    c = next;
  }
  s.shutdown_timer.expires_after(s.config.shutdown_timeout);
  s.shutdown_timer.async_wait([state = state_](std::error_code ec) {
    if (ec) return;
    if (state->count > 0) {
      log::warn("shutdown deadline passed, closing connections", {{"open", state->count}});
    }
    for (auto* c = state->first; c != nullptr; c = c->next) c->force_close();
    // A handler suspended on something that never completes keeps its connection alive; the
    // deadline is a promise to the platform, so report drained anyway.
    if (state->on_drained) {
      auto done = std::move(state->on_drained);
      state->on_drained = nullptr;
      asio::post(state->io, std::move(done));
    }
  });
  s.check_drained();
}

std::size_t server::connection_count() const noexcept {
  return state_->count;
}
const server_config& server::config() const noexcept {
  return state_->config;
}

}  // namespace containerflare
