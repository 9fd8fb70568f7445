#pragma once
// What the client talks to: one implementation per kind of endpoint. Every member runs on the
// owner executor (the client hops there first), so transports need no locking.

#include <chrono>
#include <memory>
#include <string>

#include <asio/any_io_executor.hpp>
#include <boost/json/value.hpp>

#include "containerflare/command/options.hpp"
#include "containerflare/command/result.hpp"
#include "containerflare/task.hpp"

namespace containerflare::detail {

using clock = std::chrono::steady_clock;

class command_transport {
 public:
  virtual ~command_transport() = default;
  virtual task<command_result> call(std::string command, boost::json::value payload,
                                    std::chrono::milliseconds timeout) = 0;
  // Fails outstanding calls with transport_closed; later calls fail at once.
  virtual void close() = 0;
};

std::shared_ptr<command_transport> make_transport(const asio::any_io_executor& owner,
                                                  const command_options& options);

std::string format_ms(std::chrono::milliseconds ms);

}  // namespace containerflare::detail
