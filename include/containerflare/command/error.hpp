#pragma once
// Command channel errors: an error code enum with its category (the Boost.Beast style), so the
// engine passes failures around as values, and `command_error`, the exception thrown by the
// convenience APIs (`command_client::invoke`, the typed helpers).

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include <boost/json/value.hpp>

namespace containerflare {

// The kinds of failure of one command, mirroring the Rust `CommandError`.
enum class command_errc {
  command_failure = 1,  // the host answered `ok:false`
  transport_closed,     // EOF / reset of the channel, or the client was closed
  timeout,              // no reply within the call's timeout
  io,                   // the channel could not be reached or written (connect refused, HTTP error)
  serialization,        // the reply was not a valid response (or exceeded the size limit)
  unavailable,          // no command host is configured (disabled, unavailable, HTTP 520)
};

const std::error_category& command_category() noexcept;

inline std::error_code make_error_code(command_errc e) noexcept {
  return {static_cast<int>(e), command_category()};
}

// The HTTP status a handler should answer when a command it depends on fails: 503 when no host
// is there, 504 on timeout, 502 for everything else (the upstream failed or misbehaved).
int http_status_for(command_errc kind) noexcept;
// The kind as a snake_case token ("timeout", "unavailable", ...), for logs and JSON errors.
std::string_view to_string(command_errc kind) noexcept;

class command_error : public std::system_error {
 public:
  // `diagnostic` is the human-readable reason (the host's diagnostic for a command failure);
  // `payload` is the host's failure payload, null otherwise.
  command_error(command_errc kind, const std::string& diagnostic,
                boost::json::value payload = nullptr);

  command_errc kind() const noexcept { return static_cast<command_errc>(code().value()); }
  const std::string& diagnostic() const noexcept { return diagnostic_; }
  const boost::json::value& payload() const noexcept { return payload_; }
  int http_status() const noexcept { return http_status_for(kind()); }

 private:
  std::string diagnostic_;
  boost::json::value payload_;
};

}  // namespace containerflare

template <>
struct std::is_error_code_enum<containerflare::command_errc> : std::true_type {};
