#include "containerflare/command/error.hpp"

namespace containerflare {
namespace {

class command_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "containerflare.command"; }

  std::string message(int value) const override {
    switch (static_cast<command_errc>(value)) {
      case command_errc::command_failure:
        return "command failed";
      case command_errc::transport_closed:
        return "command transport closed";
      case command_errc::timeout:
        return "command timed out";
      case command_errc::io:
        return "command channel I/O error";
      case command_errc::serialization:
        return "invalid command reply";
      case command_errc::unavailable:
        return "command channel unavailable";
    }
    return "unknown command error";
  }
};

}  // namespace

const std::error_category& command_category() noexcept {
  static const command_category_impl category;
  return category;
}

std::string_view to_string(command_errc kind) noexcept {
  switch (kind) {
    case command_errc::command_failure:
      return "command_failure";
    case command_errc::transport_closed:
      return "transport_closed";
    case command_errc::timeout:
      return "timeout";
    case command_errc::io:
      return "io";
    case command_errc::serialization:
      return "serialization";
    case command_errc::unavailable:
      return "unavailable";
  }
  return "unknown";
}

int http_status_for(command_errc kind) noexcept {
  switch (kind) {
    case command_errc::unavailable:
      return 503;
    case command_errc::timeout:
      return 504;
    default:
      return 502;
  }
}

command_error::command_error(command_errc kind, const std::string& diagnostic,
                             boost::json::value payload)
    : std::system_error(make_error_code(kind), diagnostic),
      diagnostic_(diagnostic),
      payload_(std::move(payload)) {}

}  // namespace containerflare
