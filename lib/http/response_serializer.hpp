#pragma once
// Turns a response into HTTP/1.1 bytes appended to the connection's output buffer.

#include <string>
#include <string_view>

#include <boost/json/serializer.hpp>

#include "containerflare/response.hpp"

namespace containerflare::detail {

struct framing {
  bool head_request = false;         // headers as for GET, no body
  bool keep_alive = true;            // false: send "Connection: close"
  bool http10 = false;               // HTTP/1.0 client: no chunked encoding
  bool announce_keep_alive = false;  // HTTP/1.0 keep-alive: say so
};

class response_serializer {
 public:
  // Appends status line, headers and (unless HEAD / a bodiless status / a large or streamed body)
  // the body. Returns the body bytes that the caller must send after `out` (a large body is not
  // copied; an empty view otherwise). For a stream response, `chunked` tells whether the caller
  // must use chunked encoding.
  std::string_view append(const response& res, const framing& f, std::string_view server_header,
                          std::string& out);
  bool chunked() const noexcept { return chunked_; }

  // Bodies larger than this are written from the response instead of copied into the buffer.
  static constexpr std::size_t copy_limit = 16 * 1024;

 private:
  std::string_view serialize_json(const boost::json::value& v);

  boost::json::serializer json_serializer_;
  std::string json_scratch_;
  bool chunked_ = false;
};

// "HTTP/1.1 404 Not Found\r\n"
void append_status_line(status s, std::string& out);

}  // namespace containerflare::detail
