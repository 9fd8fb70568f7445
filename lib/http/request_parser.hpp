#pragma once
// A small wrapper around llhttp in request mode. It records the request line and header fields
// as offsets from the start of the message in the connection's read buffer (so the buffer may
// grow or move while a header block arrives in pieces) and pauses after the header block and
// after each message, so the connection decides how to read the body and handles pipelined
// requests one at a time.

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "containerflare/status.hpp"

namespace containerflare::detail {

struct text_span {
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  std::string_view in(const char* base) const noexcept { return {base + offset, length}; }
};

struct header_span {
  text_span name;
  text_span value;
};

class request_parser {
 public:
  enum class state : std::uint8_t { headers, body, complete, failed };

  explicit request_parser(std::size_t max_request_line_bytes);
  request_parser(const request_parser&) = delete;
  request_parser& operator=(const request_parser&) = delete;

  // Starts a new message (after the previous one completed).
  void begin_message() noexcept;

  // Parses [data, data + size); `message_base` is where the current message starts in the same
  // buffer. Returns how many bytes were consumed; parsing stops (paused) right after the header
  // block and right after the end of a message. Body pieces seen are appended to body_pieces().
  std::size_t feed(const char* message_base, const char* data, std::size_t size) noexcept;

  state current_state() const noexcept { return state_; }
  // For failed(): the status to answer (400, 414, 505) and a short reason for the log.
  status error_status() const noexcept { return error_status_; }
  const char* error_reason() const noexcept { return error_reason_; }

  // Valid once the header block is complete.
  std::string_view method() const noexcept;
  text_span url() const noexcept { return url_; }
  const std::vector<header_span>& headers() const noexcept { return headers_; }
  int version_major() const noexcept { return parser_.http_major; }
  int version_minor() const noexcept { return parser_.http_minor; }
  bool chunked() const noexcept { return (parser_.flags & F_CHUNKED) != 0; }
  bool has_content_length() const noexcept { return (parser_.flags & F_CONTENT_LENGTH) != 0; }
  // Declared Content-Length (valid when has_content_length()).
  std::uint64_t content_length() const noexcept { return declared_length_; }
  bool has_body() const noexcept {
    return chunked() || (has_content_length() && declared_length_ > 0);
  }
  bool keep_alive() const noexcept { return llhttp_should_keep_alive(&parser_) != 0; }

  // Body bytes parsed by the last feed() calls, as views into the fed buffer.
  std::vector<std::string_view>& body_pieces() noexcept { return body_pieces_; }
  std::uint64_t body_bytes_seen() const noexcept { return body_bytes_seen_; }

 private:
  static int on_message_begin(llhttp_t* p);
  static int on_url(llhttp_t* p, const char* at, std::size_t len);
  static int on_header_field(llhttp_t* p, const char* at, std::size_t len);
  static int on_header_field_complete(llhttp_t* p);
  static int on_header_value(llhttp_t* p, const char* at, std::size_t len);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, std::size_t len);
  static int on_message_complete(llhttp_t* p);
  static const llhttp_settings_t& settings() noexcept;

  void fail(status s, const char* reason) noexcept;

  llhttp_t parser_{};
  std::size_t max_request_line_bytes_;
  const char* message_base_ = nullptr;
  state state_ = state::headers;
  bool field_complete_ = false;
  status error_status_ = status::bad_request;
  const char* error_reason_ = "";
  text_span url_;
  std::vector<header_span> headers_;
  std::vector<std::string_view> body_pieces_;
  std::uint64_t declared_length_ = 0;
  std::uint64_t body_bytes_seen_ = 0;
};

}  // namespace containerflare::detail
