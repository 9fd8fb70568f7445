#include "transport.hpp"

#include "http_transport.hpp"
#include "stream_transport.hpp"

namespace containerflare::detail {
namespace {

// disabled / unavailable: every call fails at once with the reason; nothing is written anywhere.
class unavailable_transport final : public command_transport {
 public:
  explicit unavailable_transport(std::string reason) : reason_(std::move(reason)) {}

  task<command_result> call(std::string, boost::json::value, std::chrono::milliseconds) override {
    co_return command_result::failure(command_errc::unavailable, reason_);
  }
  void close() override {}

 private:
  std::string reason_;
};

}  // namespace

std::shared_ptr<command_transport> make_transport(const asio::any_io_executor& owner,
                                                  const command_options& options) {
  switch (options.endpoint.kind) {
    case endpoint_kind::stdio:
    case endpoint_kind::tcp:
    case endpoint_kind::unix_socket:
      return std::make_shared<stream_transport>(owner, options);
    case endpoint_kind::http:
      return std::make_shared<http_transport>(owner, options);
    case endpoint_kind::disabled:
    case endpoint_kind::unavailable:
      break;
  }
  return std::make_shared<unavailable_transport>(options.endpoint.reason.empty()
                                                     ? "the command channel is unavailable"
                                                     : options.endpoint.reason);
}

std::string format_ms(std::chrono::milliseconds ms) {
  return std::to_string(ms.count()) + " ms";
}

}  // namespace containerflare::detail
