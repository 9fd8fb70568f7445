#pragma once
// A command host for tests and benchmarks: newline-delimited JSON over TCP (127.0.0.1), a Unix
// socket, or a pair of file descriptors (the stdio transport). It can answer at once (echo),
// or hand every request to the test, which then answers in any order, without ids, late,
// malformed, or not at all, and can drop connections or stop listening and come back.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <boost/json/value.hpp>

#include "containerflare/task.hpp"

namespace cftest {

using containerflare::task;

struct received {
  std::size_t connection = 0;  // 1-based, in accept order
  std::optional<std::uint64_t> id;
  std::string command;
  boost::json::value payload;
  std::string line;  // exactly as it came, without '\n'
};

// The reply an echo host sends: {"command":..., "payload":...}.
boost::json::value echo_payload(const received& request);
// {"id":N,"ok":true,"payload":...,"diagnostic":null} (id only when given), with '\n'.
std::string reply_line(std::optional<std::uint64_t> id, const boost::json::value& payload,
                       bool ok = true, std::optional<std::string> diagnostic = std::nullopt);

class line_host {
 public:
  enum class listen_on { tcp, unix_socket };
  // What to send for a request in automatic mode; nullopt sends nothing.
  using responder = std::function<std::optional<std::string>(const received&)>;

  line_host(asio::io_context& io, listen_on kind);
  // A host on existing descriptors: requests are read from `in_fd`, replies written to `out_fd`
  // (both are taken over and closed by the host).
  line_host(asio::io_context& io, int in_fd, int out_fd);
  ~line_host();
  line_host(const line_host&) = delete;
  line_host& operator=(const line_host&) = delete;

  std::string endpoint() const;  // tcp://127.0.0.1:P or unix:///path

  void start();             // (re)listen at the same address
  void stop();              // close the listener and every connection: clients see EOF
  void drop_connections();  // close every connection, keep listening

  void echo();                     // answer every request at once with echo_payload, with its id
  void respond_with(responder r);  // answer every request at once with r
  void manual();                   // queue requests for next()

  task<received> next();  // manual mode: the next request
  // Sends raw bytes on a connection (default: the latest one).
  void send(std::string bytes, std::size_t connection = 0);
  void reply(const received& request, const boost::json::value& payload, bool with_id = true);

  std::size_t accepted() const noexcept { return accepted_; }
  std::size_t requests() const noexcept { return requests_; }

 private:
  struct connection;
  // The loops take `alive`: they may first run, or resume, after the host is gone.
  task<void> accept_loop(std::shared_ptr<bool> alive);
  void adopt(int fd_in, int fd_out);
  task<void> read_loop(std::shared_ptr<bool> alive, std::shared_ptr<connection> conn);
  task<void> write_loop(std::shared_ptr<connection> conn);
  void handle(const std::shared_ptr<connection>& conn, std::string line);

  asio::io_context& io_;
  listen_on kind_;
  std::uint16_t port_ = 0;
  std::string path_;
  std::optional<asio::ip::tcp::acceptor> tcp_acceptor_;
  std::optional<asio::local::stream_protocol::acceptor> unix_acceptor_;
  std::vector<std::shared_ptr<connection>> connections_;
  responder responder_;
  bool manual_ = false;
  std::deque<received> queue_;
  asio::steady_timer queue_signal_;
  std::size_t accepted_ = 0;
  std::size_t requests_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cftest
