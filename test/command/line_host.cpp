#include "line_host.hpp"

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <stdexcept>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace cftest {
namespace {

constexpr auto non_throwing = asio::experimental::as_tuple(asio::use_awaitable);

std::string make_socket_path() {
  char dir[] = "/tmp/cf-cmd-host-XXXXXX";
  if (::mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
  return std::string(dir) + "/host.sock";
}

}  // namespace

boost::json::value echo_payload(const received& request) {
  return boost::json::object{{"command", request.command}, {"payload", request.payload}};
}

std::string reply_line(std::optional<std::uint64_t> id, const boost::json::value& payload, bool ok,
                       std::optional<std::string> diagnostic) {
  boost::json::object reply;
  if (id) reply["id"] = *id;
  reply["ok"] = ok;
  reply["payload"] = payload;
  reply["diagnostic"] = diagnostic ? boost::json::value(*diagnostic) : boost::json::value(nullptr);
  return boost::json::serialize(reply) + "\n";
}

struct line_host::connection {
  connection(asio::posix::stream_descriptor in, std::optional<asio::posix::stream_descriptor> out,
             std::size_t number)
      : input(std::move(in)), output(std::move(out)), number(number) {}
  asio::posix::stream_descriptor& writer() { return output ? *output : input; }
  void close() {
    std::error_code ignored;
    input.close(ignored);
    if (output) output->close(ignored);
    closed = true;
  }
  asio::posix::stream_descriptor input;
  std::optional<asio::posix::stream_descriptor> output;
  std::size_t number;
  std::string outbox;
  bool writing = false;
  bool closed = false;
};

line_host::line_host(asio::io_context& io, listen_on kind)
    : io_(io), kind_(kind), queue_signal_(io) {
  ::signal(SIGPIPE, SIG_IGN);
  if (kind_ == listen_on::unix_socket) path_ = make_socket_path();
  echo();
  start();
}

line_host::line_host(asio::io_context& io, int in_fd, int out_fd)
    : io_(io), kind_(listen_on::tcp), queue_signal_(io) {
  ::signal(SIGPIPE, SIG_IGN);
  echo();
  adopt(in_fd, out_fd);
}

line_host::~line_host() {
  *alive_ = false;
  stop();
  if (!path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::path(path_).parent_path(), ignored);
  }
}

std::string line_host::endpoint() const {
  if (!path_.empty()) return "unix://" + path_;
  return "tcp://127.0.0.1:" + std::to_string(port_);
}

void line_host::start() {
  if (kind_ == listen_on::unix_socket) {
    ::unlink(path_.c_str());
    unix_acceptor_.emplace(io_, asio::local::stream_protocol::endpoint(path_));
  } else {
    tcp_acceptor_.emplace(io_);
    const asio::ip::tcp::endpoint where(asio::ip::make_address("127.0.0.1"), port_);
    tcp_acceptor_->open(where.protocol());
    tcp_acceptor_->set_option(asio::socket_base::reuse_address(true));
    tcp_acceptor_->bind(where);
    tcp_acceptor_->listen();
    port_ = tcp_acceptor_->local_endpoint().port();
  }
  asio::co_spawn(io_, accept_loop(alive_), asio::detached);
}

void line_host::stop() {
  std::error_code ignored;
  if (tcp_acceptor_) tcp_acceptor_->close(ignored);
  if (unix_acceptor_) unix_acceptor_->close(ignored);
  drop_connections();
}

void line_host::drop_connections() {
  for (auto& conn : connections_) conn->close();
  connections_.clear();
}

void line_host::echo() {
  respond_with([](const received& request) {
    return std::optional<std::string>(reply_line(request.id, echo_payload(request)));
  });
}

void line_host::respond_with(responder r) {
  responder_ = std::move(r);
  manual_ = false;
}

void line_host::manual() {
  manual_ = true;
}

task<void> line_host::accept_loop(std::shared_ptr<bool> alive) {
  while (*alive) {
    int fd = -1;
    if (unix_acceptor_ && unix_acceptor_->is_open()) {
      auto [error, socket] = co_await unix_acceptor_->async_accept(non_throwing);
      if (error) co_return;
      fd = socket.release();
    } else if (tcp_acceptor_ && tcp_acceptor_->is_open()) {
      auto [error, socket] = co_await tcp_acceptor_->async_accept(non_throwing);
      if (error) co_return;
      fd = socket.release();
    } else {
      co_return;
    }
    if (!*alive) {
      ::close(fd);
      co_return;
    }
    adopt(fd, -1);
  }
}

void line_host::adopt(int fd_in, int fd_out) {
  asio::posix::stream_descriptor in(io_, fd_in);
  std::optional<asio::posix::stream_descriptor> out;
  if (fd_out >= 0) out.emplace(io_, fd_out);
  auto conn = std::make_shared<connection>(std::move(in), std::move(out), ++accepted_);
  connections_.push_back(conn);
  asio::co_spawn(io_, read_loop(alive_, conn), asio::detached);
}

task<void> line_host::read_loop(std::shared_ptr<bool> alive, std::shared_ptr<connection> conn) {
  std::string buffer;
  std::array<char, 64 * 1024> chunk;
  for (;;) {
    auto [error, bytes] = co_await conn->input.async_read_some(asio::buffer(chunk), non_throwing);
    if (error || !*alive) {
      conn->close();
      co_return;
    }
    buffer.append(chunk.data(), bytes);
    std::size_t start = 0;
    for (auto newline = buffer.find('\n'); newline != std::string::npos;
         newline = buffer.find('\n', start)) {
      handle(conn, buffer.substr(start, newline - start));
      start = newline + 1;
    }
    buffer.erase(0, start);
  }
}

void line_host::handle(const std::shared_ptr<connection>& conn, std::string line) {
  ++requests_;
  received request;
  request.connection = conn->number;
  auto parsed = boost::json::parse(line).as_object();
  if (auto* id = parsed.if_contains("id")) request.id = id->to_number<std::uint64_t>();
  request.command = std::string(parsed.at("command").as_string());
  request.payload = parsed.at("payload");
  request.line = std::move(line);
  if (manual_) {
    queue_.push_back(std::move(request));
    queue_signal_.cancel();
    return;
  }
  if (auto answer = responder_(request)) send(std::move(*answer), conn->number);
}

task<received> line_host::next() {
  while (queue_.empty()) {
    queue_signal_.expires_at(asio::steady_timer::time_point::max());
    std::error_code ignored;
    co_await queue_signal_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  auto request = std::move(queue_.front());
  queue_.pop_front();
  co_return request;
}

void line_host::send(std::string bytes, std::size_t connection_number) {
  std::shared_ptr<connection> conn;
  for (auto& c : connections_) {
    if (connection_number == 0 || c->number == connection_number) conn = c;
  }
  if (!conn || conn->closed) throw std::runtime_error("line_host: no such open connection");
  conn->outbox += bytes;
  if (!conn->writing) {
    conn->writing = true;
    asio::co_spawn(io_, write_loop(conn), asio::detached);
  }
}

void line_host::reply(const received& request, const boost::json::value& payload, bool with_id) {
  send(reply_line(with_id ? request.id : std::nullopt, payload), request.connection);
}

task<void> line_host::write_loop(std::shared_ptr<connection> conn) {
  std::string sending;
  while (!conn->outbox.empty() && !conn->closed) {
    sending.clear();
    std::swap(sending, conn->outbox);
    auto [error, written] =
        co_await asio::async_write(conn->writer(), asio::buffer(sending), non_throwing);
    (void)written;
    if (error) {
      conn->close();
      break;
    }
  }
  conn->writing = false;
}

}  // namespace cftest
