#pragma once
// A small HTTP/1.1 server for the http:// transport tests. It records every request (so a test
// can check the request line, e.g. the absolute form sent to a proxy, and the Host header),
// counts connections (keep-alive reuse) and answers through a function of the request.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "containerflare/task.hpp"

namespace cftest {

using containerflare::task;

struct http_seen {
  std::size_t connection = 0;  // 1-based, in accept order
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

struct http_answer {
  int status = 200;
  std::string body;
  bool close = false;           // send Connection: close and close afterwards
  bool chunked = false;         // Transfer-Encoding: chunked instead of Content-Length
  bool close_silently = false;  // close after answering, without saying so
  bool hold = false;            // never answer (the connection stays open)
};

// 200 with {"id":..,"ok":true,"payload":{"command":..,"payload":..}} for the request body.
http_answer http_echo(const http_seen& request);

class http_host {
 public:
  explicit http_host(asio::io_context& io);
  ~http_host();

  std::uint16_t port() const noexcept { return port_; }
  std::string url(const std::string& path = "/") const;
  void stop();

  std::function<http_answer(const http_seen&)> responder = http_echo;
  std::vector<http_seen> requests;
  std::size_t accepted = 0;

 private:
  // Both take `alive`: they may first run, or resume, after the host is gone.
  task<void> accept_loop(std::shared_ptr<bool> alive);
  task<void> serve(std::shared_ptr<bool> alive, asio::ip::tcp::socket socket, std::size_t number);

  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::vector<std::weak_ptr<asio::ip::tcp::socket>> sockets_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cftest
