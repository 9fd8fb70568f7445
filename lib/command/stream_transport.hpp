#pragma once
// Newline-delimited JSON over one byte stream: stdio (a pipe pair), TCP or a Unix socket.
// Many calls share the connection; requests are batched into single writes, replies are
// dispatched by id (or in order) as lines arrive. The connection is opened by the first call,
// and after a loss by the next one (tcp/unix), with a backoff after failed attempts. EOF on
// stdin is final.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/posix/stream_descriptor.hpp>

#include "call_table.hpp"
#include "containerflare/command/message.hpp"
#include "line_reader.hpp"
#include "transport.hpp"

namespace containerflare::detail {

class stream_transport final : public command_transport,
                               public std::enable_shared_from_this<stream_transport> {
 public:
  stream_transport(asio::any_io_executor executor, command_options options);
  ~stream_transport() override;

  task<command_result> call(std::string command, boost::json::value payload,
                            std::chrono::milliseconds timeout) override;
  void close() override;

 private:
  struct connection;
  struct opened;

  // Connected, or the failure to hand to the caller.
  task<std::optional<command_result>> ensure_connected(clock::time_point deadline);
  task<void> connect_and_notify(std::shared_ptr<stream_transport> self);
  task<opened> open(clock::time_point deadline);
  opened open_stdio();
  // Both hold `self`: the transport lives while its connection does (close() ends them).
  task<void> read_loop(std::shared_ptr<stream_transport> self, std::shared_ptr<connection> conn);
  task<void> write_loop(std::shared_ptr<stream_transport> self, std::shared_ptr<connection> conn);
  void start_writing();
  void handle_line(std::string_view line, std::size_t readable);
  void handle_oversize(std::string_view prefix);
  void deliver(pending_call* call, command_result result);
  void lose(const std::shared_ptr<connection>& conn, const std::string& why);
  void shut(command_errc kind, std::string reason);

  asio::any_io_executor executor_;
  command_options options_;
  std::string name_;  // endpoint text for messages
  std::shared_ptr<connection> conn_;
  call_table calls_;
  message_parser parser_;
  std::string outbox_;
  bool writing_ = false;

  // Set for good: after close(), EOF on stdin, or a stdio that cannot work.
  std::optional<command_result> shut_;

  bool connecting_ = false;
  std::vector<pending_call*> connect_waiters_;
  std::string last_connect_error_;
  clock::time_point retry_after_{};
  std::chrono::milliseconds backoff_;
};

}  // namespace containerflare::detail
