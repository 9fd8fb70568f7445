#pragma once
// The outcome of one command, as a value: what `command_client::try_invoke` returns.

#include <string>
#include <system_error>

#include <boost/json/value.hpp>

#include "containerflare/command/error.hpp"
#include "containerflare/command/message.hpp"

namespace containerflare {

struct command_result {
  std::error_code error;       // empty on success, else a command_errc
  boost::json::value payload;  // the reply payload (also carried by a command failure)
  std::string diagnostic;      // why it failed; empty on success

  static command_result success(boost::json::value payload);
  static command_result failure(command_errc kind, std::string diagnostic,
                                boost::json::value payload = nullptr);
  // ok:true → success; ok:false → command_failure with the host's diagnostic, or
  // "host returned failure" when it sent none.
  static command_result from_response(command_response&& response);

  bool ok() const noexcept { return !error; }
  explicit operator bool() const noexcept { return ok(); }
  // The failure kind; command_errc{} on success.
  command_errc kind() const noexcept { return static_cast<command_errc>(error.value()); }

  // The exception for this failure (precondition: !ok()).
  command_error to_error() const;
  // The payload, or throws to_error().
  boost::json::value& value() &;
  boost::json::value value() &&;
};

}  // namespace containerflare
