#include "containerflare/command/result.hpp"

namespace containerflare {

command_result command_result::success(boost::json::value payload) {
  command_result result;
  result.payload = std::move(payload);
  return result;
}

command_result command_result::failure(command_errc kind, std::string diagnostic,
                                       boost::json::value payload) {
  command_result result;
  result.error = make_error_code(kind);
  result.diagnostic = std::move(diagnostic);
  result.payload = std::move(payload);
  return result;
}

command_result command_result::from_response(command_response&& response) {
  if (response.ok) return success(std::move(response.payload));
  return failure(command_errc::command_failure,
                 response.diagnostic ? std::move(*response.diagnostic) : "host returned failure",
                 std::move(response.payload));
}

command_error command_result::to_error() const {
  return command_error(kind(), diagnostic.empty() ? error.message() : diagnostic, payload);
}

boost::json::value& command_result::value() & {
  if (!ok()) throw to_error();
  return payload;
}

boost::json::value command_result::value() && {
  if (!ok()) throw to_error();
  return std::move(payload);
}

}  // namespace containerflare
