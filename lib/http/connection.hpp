#pragma once
// One client connection: reads requests (pipelined ones included), runs their handlers one at a
// time, and writes the responses in order, batching them into one write when several requests
// arrived together.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "containerflare/request.hpp"
#include "containerflare/response.hpp"
#include "containerflare/router.hpp"
#include "http/request_parser.hpp"
#include "http/response_serializer.hpp"
#include "http/server_state.hpp"

namespace containerflare::detail {

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(std::shared_ptr<server_state> server, asio::ip::tcp::socket socket);
  ~connection();

  // The connection's coroutine; returns when the connection is closed.
  task<void> run();

  // The server stops: close now when idle, otherwise after the current response.
  void on_server_stopping();
  // The drain deadline passed: close whatever is happening.
  void force_close();

  connection* prev = nullptr;  // server_state's list
  connection* next = nullptr;

 private:
  enum class phase : unsigned char { idle, headers, body, handler, writing, lingering, closed };
  class streamed_body;
  class chunk_writer;

  // Reading and parsing.
  task<std::error_code> read_more();
  void make_room_for_headers();
  void make_room_for_body();
  task<bool> read_header_block();
  void build_request();
  const char* validate_request() const;
  task<bool> read_whole_body(std::size_t limit);
  task<bool> discard_rest_of_body(std::size_t limit);
  task<void> send_continue_if_expected();

  // Handling and writing.
  task<bool> handle_request();
  task<response> call_handler(const route_match& m);
  task<bool> write_response(response& res, bool keep_alive);
  task<bool> advance_body(std::size_t limit, std::error_code& failure);
  task<std::error_code> flush(std::string_view tail = {});
  task<std::error_code> flush_parts(std::string_view a, std::string_view b);
  task<void> fail_and_close(status s, std::string_view reason);
  task<void> close_gracefully();

  // Deadlines: one timer, re-armed lazily as the connection moves between phases.
  void enter(phase p, std::chrono::milliseconds timeout);
  void enter(phase p);  // no deadline
  task<void> watchdog(std::shared_ptr<connection> self);
  void close_socket() noexcept;

  std::shared_ptr<server_state> server_;
  const server_config& config_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  phase phase_ = phase::idle;
  bool timed_out_ = false;
  bool closing_ = false;  // answer the current request, then close

  // Read buffer: [0, filled_) holds data; [parsed_, filled_) is not parsed yet; the current
  // message starts at message_start_; body_start_ is where its body region begins.
  std::vector<char> buffer_;
  std::size_t filled_ = 0;
  std::size_t parsed_ = 0;
  std::size_t message_start_ = 0;
  std::size_t body_start_ = 0;
  std::size_t body_piece_index_ = 0;

  request_parser parser_;
  request request_;
  std::string body_;
  std::string remote_address_;
  std::unique_ptr<streamed_body> stream_;

  std::string out_;
  response_serializer serializer_;
};

}  // namespace containerflare::detail
