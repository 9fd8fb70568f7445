#pragma once
// Error codes of the HTTP engine, e.g. carried by the std::system_error that
// body_stream::read() throws.

#include <system_error>

namespace containerflare {

enum class http_error {
  body_too_large = 1,   // the body exceeds the route's limit
  body_timeout,         // the client stopped sending the body
  malformed_body,       // bad chunked framing
  client_disconnected,  // the connection closed before the body ended
};

const std::error_category& http_category() noexcept;

inline std::error_code make_error_code(http_error e) noexcept {
  return {static_cast<int>(e), http_category()};
}

}  // namespace containerflare

template <>
struct std::is_error_code_enum<containerflare::http_error> : std::true_type {};
