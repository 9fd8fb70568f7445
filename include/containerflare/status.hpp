#pragma once

#include <cstdint>
#include <string_view>

namespace containerflare {

// HTTP status codes. Any value 100-999 may be used; the named ones get their reason phrase.
enum class status : std::uint16_t {
  continue_ = 100,
  switching_protocols = 101,
  ok = 200,
  created = 201,
  accepted = 202,
  no_content = 204,
  partial_content = 206,
  moved_permanently = 301,
  found = 302,
  see_other = 303,
  not_modified = 304,
  temporary_redirect = 307,
  permanent_redirect = 308,
  bad_request = 400,
  unauthorized = 401,
  forbidden = 403,
  not_found = 404,
  method_not_allowed = 405,
  not_acceptable = 406,
  request_timeout = 408,
  conflict = 409,
  gone = 410,
  length_required = 411,
  payload_too_large = 413,
  uri_too_long = 414,
  unsupported_media_type = 415,
  expectation_failed = 417,
  unprocessable_entity = 422,
  too_many_requests = 429,
  request_header_fields_too_large = 431,
  internal_server_error = 500,
  not_implemented = 501,
  bad_gateway = 502,
  service_unavailable = 503,
  gateway_timeout = 504,
  http_version_not_supported = 505,
};

// Reason phrase for the status line ("Not Found"); "Unknown" for unnamed codes.
std::string_view reason_phrase(status s) noexcept;

// Whether a response with this status may carry a body (1xx, 204 and 304 may not).
constexpr bool status_allows_body(status s) noexcept {
  const auto code = static_cast<std::uint16_t>(s);
  return code >= 200 && code != 204 && code != 304;
}

}  // namespace containerflare
