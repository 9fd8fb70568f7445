#pragma once
// One HTTP/1.1 response at a time, parsed by llhttp in response mode: status, body (with its
// own size limit, dechunked) and whether the connection may be reused.

#include <cstddef>
#include <string>

#include <llhttp.h>

namespace containerflare::detail {

class http_response_parser {
 public:
  enum class state { incomplete, complete, failed };

  explicit http_response_parser(std::size_t max_body, std::size_t max_head = 64 * 1024);
  http_response_parser(const http_response_parser&) = delete;
  http_response_parser& operator=(const http_response_parser&) = delete;

  void reset();
  // Feeds received bytes. Bytes after a complete response make the connection unusable.
  state feed(const char* data, std::size_t size);
  // The peer closed the connection: completes a response whose body runs to EOF.
  state finish();

  unsigned status() const noexcept { return status_; }
  const std::string& body() const noexcept { return body_; }
  // Valid once complete: keep-alive allowed and nothing unexpected followed the response.
  bool reusable() const noexcept { return keep_alive_ && !trailing_bytes_; }
  bool body_too_large() const noexcept { return body_too_large_; }
  bool started() const noexcept { return started_; }
  const std::string& error() const noexcept { return error_; }

 private:
  static int on_message_begin(llhttp_t* parser);
  static int on_header_bytes(llhttp_t* parser, const char* at, std::size_t length);
  static int on_headers_complete(llhttp_t* parser);
  static int on_body(llhttp_t* parser, const char* at, std::size_t length);
  static int on_message_complete(llhttp_t* parser);
  state check(llhttp_errno_t result, const char* data, std::size_t size);

  llhttp_t parser_{};
  llhttp_settings_t settings_{};
  std::size_t max_body_;
  std::size_t max_head_;
  std::size_t head_bytes_ = 0;
  unsigned status_ = 0;
  std::string body_;
  std::string error_;
  bool started_ = false;
  bool complete_ = false;
  bool keep_alive_ = false;
  bool trailing_bytes_ = false;
  bool body_too_large_ = false;
};

}  // namespace containerflare::detail
