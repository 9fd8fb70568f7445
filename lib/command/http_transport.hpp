#pragma once
// http://host[:port][/path]: one HTTP/1.1 POST per command on a small pool of keep-alive
// connections (directly, or through http_proxy with an absolute-form request line). A 200
// response's body is the reply JSON; any other status fails the call naming it, 520 (Cloudflare
// denied the host) as `unavailable`.

#include <deque>
#include <memory>
#include <string>
#include <unordered_set>
#include <variant>
#include <vector>

#include "call_table.hpp"
#include "containerflare/command/message.hpp"
#include "http_response_parser.hpp"
#include "transport.hpp"

namespace containerflare::detail {

class http_transport final : public command_transport,
                             public std::enable_shared_from_this<http_transport> {
 public:
  http_transport(asio::any_io_executor executor, command_options options);
  ~http_transport() override;

  task<command_result> call(std::string command, boost::json::value payload,
                            std::chrono::milliseconds timeout) override;
  void close() override;

 private:
  struct connection;
  struct slot_waiter;
  struct exchange_outcome {
    command_result result;
    bool reusable = false;
    bool retry = false;  // a reused connection died before answering: try a fresh one
  };
  using acquired = std::variant<std::shared_ptr<connection>, command_result>;

  // A connection for one exchange: idle, new, or handed over by a call that finished. Calls
  // wait their turn in order, so a burst cannot starve an earlier caller.
  task<acquired> acquire(clock::time_point deadline);
  task<acquired> connect(clock::time_point deadline);  // a slot is reserved in open_
  void release(const std::shared_ptr<connection>& conn, bool reusable);
  void free_slot();  // a connection is gone: its slot goes to the next waiter
  task<exchange_outcome> exchange(std::shared_ptr<connection> conn, const std::string& request);
  command_result interpret(const http_response_parser& response);
  command_result closed_result() const;

  asio::any_io_executor executor_;
  command_options options_;
  std::string name_;          // for messages
  std::string connect_host_;  // the origin, or the proxy
  std::uint16_t connect_port_ = 0;
  std::string head_;  // request line and fixed headers, up to "Content-Length: "
  message_parser parser_;
  std::vector<std::shared_ptr<connection>> idle_;
  std::unordered_set<std::shared_ptr<connection>> busy_;
  std::size_t open_ = 0;  // idle + busy + connecting
  std::deque<slot_waiter*> slot_waiters_;
  std::uint64_t last_id_ = 0;
  bool closed_ = false;
};

}  // namespace containerflare::detail
