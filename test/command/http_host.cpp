#include "http_host.hpp"

#include <array>
#include <cctype>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <boost/json/parse.hpp>

#include "line_host.hpp"

namespace cftest {
namespace {

constexpr auto non_throwing = asio::experimental::as_tuple(asio::use_awaitable);

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Parses the head (request line and headers, without the blank line).
http_seen parse_head(const std::string& head) {
  http_seen seen;
  std::size_t line_end = head.find("\r\n");
  const std::string request_line = head.substr(0, line_end);
  const auto first_space = request_line.find(' ');
  const auto second_space = request_line.find(' ', first_space + 1);
  seen.method = request_line.substr(0, first_space);
  seen.target = request_line.substr(first_space + 1, second_space - first_space - 1);
  while (line_end != std::string::npos && line_end + 2 < head.size()) {
    const auto start = line_end + 2;
    line_end = head.find("\r\n", start);
    const auto line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    seen.headers[lower(line.substr(0, colon))] = value;
  }
  return seen;
}

std::string render(const http_answer& answer) {
  std::string out = "HTTP/1.1 " + std::to_string(answer.status) + " Test\r\n";
  out += "Content-Type: application/json\r\n";
  if (answer.close) out += "Connection: close\r\n";
  if (answer.chunked) {
    out += "Transfer-Encoding: chunked\r\n\r\n";
    // Two chunks, so the body really arrives in pieces.
    const auto half = answer.body.size() / 2;
    for (auto piece : {answer.body.substr(0, half), answer.body.substr(half)}) {
      if (piece.empty()) continue;
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
      out += size + piece + "\r\n";
    }
    out += "0\r\n\r\n";
  } else {
    out += "Content-Length: " + std::to_string(answer.body.size()) + "\r\n\r\n" + answer.body;
  }
  return out;
}

}  // namespace

http_answer http_echo(const http_seen& request) {
  auto parsed = boost::json::parse(request.body).as_object();
  received r;
  if (auto* id = parsed.if_contains("id")) r.id = id->to_number<std::uint64_t>();
  r.command = std::string(parsed.at("command").as_string());
  r.payload = parsed.at("payload");
  return {200, reply_line(r.id, echo_payload(r))};
}

http_host::http_host(asio::io_context& io)
    : io_(io), acceptor_(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(alive_), asio::detached);
}

http_host::~http_host() {
  *alive_ = false;
  stop();
}

std::string http_host::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void http_host::stop() {
  std::error_code ignored;
  acceptor_.close(ignored);
  for (auto& weak : sockets_) {
    if (auto socket = weak.lock()) socket->close(ignored);
  }
}

task<void> http_host::accept_loop(std::shared_ptr<bool> alive) {
  while (*alive) {
    auto [error, socket] = co_await acceptor_.async_accept(non_throwing);
    if (error || !*alive) co_return;
    asio::co_spawn(io_, serve(alive, std::move(socket), ++accepted), asio::detached);
  }
}

// Reads one request (head and Content-Length body) from `socket`; nullopt when it closes.
task<std::optional<http_seen>> read_request(asio::ip::tcp::socket& socket, std::string& buffer) {
  std::array<char, 16 * 1024> chunk;
  std::size_t head_end;
  while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    auto [error, bytes] = co_await socket.async_read_some(asio::buffer(chunk), non_throwing);
    if (error) co_return std::nullopt;
    buffer.append(chunk.data(), bytes);
  }
  auto seen = parse_head(buffer.substr(0, head_end));
  buffer.erase(0, head_end + 4);
  const auto length_header = seen.headers.find("content-length");
  const std::size_t length =
      length_header == seen.headers.end() ? 0 : std::stoul(length_header->second);
  while (buffer.size() < length) {
    auto [error, bytes] = co_await socket.async_read_some(asio::buffer(chunk), non_throwing);
    if (error) co_return std::nullopt;
    buffer.append(chunk.data(), bytes);
  }
  seen.body = buffer.substr(0, length);
  buffer.erase(0, length);
  co_return seen;
}

task<void> http_host::serve(std::shared_ptr<bool> alive, asio::ip::tcp::socket accepted_socket,
                            std::size_t number) {
  auto socket = std::make_shared<asio::ip::tcp::socket>(std::move(accepted_socket));
  sockets_.push_back(socket);
  std::string buffer;
  for (;;) {
    auto seen = co_await read_request(*socket, buffer);
    if (!seen || !*alive) co_return;
    seen->connection = number;
    requests.push_back(*seen);
    const auto answer = responder(*seen);
    if (answer.hold) continue;
    auto [error, written] =
        co_await asio::async_write(*socket, asio::buffer(render(answer)), non_throwing);
    (void)written;
    if (error || answer.close || answer.close_silently) {
      std::error_code ignored;
      socket->close(ignored);
      co_return;
    }
  }
}

}  // namespace cftest
