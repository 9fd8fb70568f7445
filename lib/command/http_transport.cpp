#include "http_transport.hpp"

#include <array>

#include <asio/experimental/as_tuple.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "connect.hpp"
#include "deadline.hpp"
#include "text.hpp"

namespace containerflare::detail {
namespace {

constexpr auto non_throwing = asio::experimental::as_tuple(asio::use_awaitable);

std::string authority(const std::string& host, std::uint16_t port) {
  std::string out = url_host(host);  // appended: GCC 12 -O3 warns falsely on operator+ here
  if (port != 80) out.append(":").append(std::to_string(port));
  return out;
}

// The start of an error body, for the diagnostic.
std::string body_excerpt(const std::string& body) {
  const auto text = trim(std::string_view(body).substr(0, 200));
  return text.empty() ? std::string() : ": " + std::string(text);
}

}  // namespace

struct http_transport::connection {
  connection(asio::ip::tcp::socket s, std::size_t max_body)
      : socket(std::move(s)), response(max_body) {}
  asio::ip::tcp::socket socket;
  http_response_parser response;
  std::array<char, 16 * 1024> buffer{};
  bool reused = false;
};

http_transport::http_transport(asio::any_io_executor executor, command_options options)
    : executor_(std::move(executor)), options_(std::move(options)) {
  const auto& ep = options_.endpoint;
  const auto origin = authority(ep.host, ep.port);
  const auto proxy = options_.proxy.proxy_for(ep.host, ep.port);
  name_ = ep.to_string();
  std::string target = ep.path;
  if (proxy) {
    connect_host_ = proxy->host;
    connect_port_ = proxy->port;
    target = "http://" + origin + ep.path;  // absolute form, as a proxy expects
    name_ += " (via proxy " + authority(proxy->host, proxy->port) + ")";
  } else {
    connect_host_ = ep.host;
    connect_port_ = ep.port;
  }
  head_ = "POST " + target + " HTTP/1.1\r\nHost: " + origin +
          "\r\nUser-Agent: containerflare-command\r\nAccept: application/json\r\n"
          "Content-Type: application/json\r\n";
  if (proxy && !proxy->authorization.empty()) {
    head_ += "Proxy-Authorization: " + proxy->authorization + "\r\n";
  }
  head_ += "Content-Length: ";
}

http_transport::~http_transport() {
  close();
}

command_result http_transport::closed_result() const {
  return command_result::failure(command_errc::transport_closed, "the command client is closed");
}

task<command_result> http_transport::call(std::string command, boost::json::value payload,
                                          std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  const auto deadline = clock::now() + timeout;
  if (closed_) co_return closed_result();
  std::string body;
  append_request_line(body, ++last_id_, command, payload);
  const std::string request = head_ + std::to_string(body.size()) + "\r\n\r\n" + body;
  for (int attempt = 0;; ++attempt) {
    auto slot = co_await acquire(deadline);
    if (auto* failure = std::get_if<command_result>(&slot)) co_return std::move(*failure);
    auto conn = std::get<std::shared_ptr<connection>>(std::move(slot));
    auto outcome = co_await with_deadline(exchange(conn, request), deadline);
    release(conn, outcome && outcome->reusable);
    if (closed_) co_return closed_result();
    if (!outcome) {
      co_return command_result::failure(
          command_errc::timeout,
          "no reply to \"" + command + "\" from " + name_ + " within " + format_ms(timeout));
    }
    if (outcome->retry && attempt == 0) continue;
    co_return std::move(outcome->result);
  }
}

struct http_transport::slot_waiter {
  explicit slot_waiter(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  std::shared_ptr<connection> handed;  // a connection passed on by a finished call
  bool may_connect = false;            // a slot passed on: open a new connection
  bool woken = false;
  void wake() {
    woken = true;
    timer.cancel();
  }
};

void http_transport::close() {
  closed_ = true;
  std::error_code ignored;
  for (auto& conn : idle_) conn->socket.close(ignored);
  for (const auto& conn : busy_) conn->socket.close(ignored);
  open_ -= idle_.size();
  idle_.clear();
  for (auto* waiter : std::exchange(slot_waiters_, {})) waiter->wake();
}

task<http_transport::acquired> http_transport::acquire(clock::time_point deadline) {
  if (closed_) co_return closed_result();
  if (slot_waiters_.empty()) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      conn->reused = true;
      busy_.insert(conn);
      co_return conn;
    }
    if (open_ < std::max<std::size_t>(1, options_.http_max_connections)) {
      ++open_;
      co_return co_await connect(deadline);
    }
  }
  slot_waiter waiter(executor_);
  waiter.timer.expires_at(deadline);
  slot_waiters_.push_back(&waiter);
  struct forget_on_exit {
    std::deque<slot_waiter*>& waiters;
    slot_waiter* waiter;
    ~forget_on_exit() { std::erase(waiters, waiter); }
  } guard{slot_waiters_, &waiter};
  std::error_code ignored;
  if (!waiter.woken) {
    co_await waiter.timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  const bool usable = !closed_ && clock::now() < deadline;
  if (waiter.handed) {
    if (usable) {
      waiter.handed->reused = true;
      co_return std::move(waiter.handed);
    }
    release(waiter.handed, true);  // still good for the next caller (closed: release closes it)
  } else if (waiter.may_connect) {
    if (usable) co_return co_await connect(deadline);
    free_slot();
  }
  if (closed_) co_return closed_result();
  co_return command_result::failure(command_errc::timeout,
                                    "timed out waiting for a connection to " + name_);
}

task<http_transport::acquired> http_transport::connect(clock::time_point deadline) {
  auto connected = co_await connect_tcp(
      connect_host_, connect_port_, std::min(deadline, clock::now() + options_.connect_timeout));
  if (connected.error || closed_) {
    free_slot();
    if (closed_) co_return closed_result();
    const auto kind = clock::now() >= deadline ? command_errc::timeout : command_errc::io;
    co_return command_result::failure(
        kind, "cannot connect to " + name_ + ": " + connected.error.message());
  }
  auto conn = std::make_shared<connection>(std::move(connected.socket), options_.max_reply_bytes);
  busy_.insert(conn);
  co_return conn;
}

void http_transport::release(const std::shared_ptr<connection>& conn, bool reusable) {
  busy_.erase(conn);
  if (!reusable || closed_) {
    std::error_code ignored;
    conn->socket.close(ignored);
    free_slot();
    return;
  }
  if (!slot_waiters_.empty()) {
    auto* next = slot_waiters_.front();
    slot_waiters_.pop_front();
    busy_.insert(conn);
    next->handed = conn;
    next->wake();
    return;
  }
  idle_.push_back(conn);
}

void http_transport::free_slot() {
  if (!closed_ && !slot_waiters_.empty()) {
    auto* next = slot_waiters_.front();
    slot_waiters_.pop_front();
    next->may_connect = true;
    next->wake();
    return;
  }
  --open_;
}

task<http_transport::exchange_outcome> http_transport::exchange(std::shared_ptr<connection> conn,
                                                                const std::string& request) {
  auto failure = [&](command_errc kind, const std::string& why, bool retry) {
    return exchange_outcome{command_result::failure(kind, why), false, retry};
  };
  const bool reused = conn->reused;
  auto [write_error, written] =
      co_await asio::async_write(conn->socket, asio::buffer(request), non_throwing);
  (void)written;
  if (write_error) {
    co_return failure(command_errc::io, "cannot send to " + name_ + ": " + write_error.message(),
                      reused);
  }
  auto& response = conn->response;
  response.reset();
  for (;;) {
    auto [read_error, bytes] =
        co_await conn->socket.async_read_some(asio::buffer(conn->buffer), non_throwing);
    http_response_parser::state state;
    if (read_error == asio::error::eof) {
      state = response.finish();
    } else if (read_error) {
      co_return failure(command_errc::io,
                        "reading the reply from " + name_ + " failed: " + read_error.message(),
                        reused && !response.started());
    } else {
      state = response.feed(conn->buffer.data(), bytes);
    }
    if (state == http_response_parser::state::failed) {
      if (response.body_too_large()) {
        co_return failure(command_errc::serialization, response.error() + " from " + name_, false);
      }
      const bool nothing_received = !response.started();
      co_return failure(nothing_received ? command_errc::transport_closed : command_errc::io,
                        "HTTP exchange with " + name_ + " failed: " + response.error(),
                        reused && nothing_received);
    }
    if (state == http_response_parser::state::complete) break;
  }
  co_return exchange_outcome{interpret(response), response.reusable(), false};
}

command_result http_transport::interpret(const http_response_parser& response) {
  const auto status = response.status();
  if (status == 200) {
    command_response reply;
    std::string problem;
    if (!parser_.parse_response(response.body(), reply, problem)) {
      return command_result::failure(command_errc::serialization,
                                     "invalid reply from " + name_ + ": " + problem);
    }
    return command_result::from_response(std::move(reply));
  }
  if (status == 520) {
    return command_result::failure(
        command_errc::unavailable,
        name_ + " answered HTTP 520: Cloudflare denied the request to the command host" +
            body_excerpt(response.body()));
  }
  return command_result::failure(
      command_errc::io,
      name_ + " answered HTTP " + std::to_string(status) + body_excerpt(response.body()));
}

}  // namespace containerflare::detail
