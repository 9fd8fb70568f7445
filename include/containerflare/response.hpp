#pragma once
// A handler's answer. The body is text/bytes, a Boost.JSON value (serialised straight into the
// connection's output buffer), or a producer that streams the body in chunks.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "containerflare/headers.hpp"
#include "containerflare/status.hpp"
#include "containerflare/task.hpp"

namespace containerflare {

// Handed to a streaming body producer. Each write is sent to the client as one chunk
// (chunked transfer encoding on HTTP/1.1) and flushed, so server-sent events arrive at once.
class body_writer {
 public:
  virtual ~body_writer() = default;
  // Sends `data` (an empty view is ignored). Throws std::system_error when the client is gone or
  // stops reading past the write timeout; let it propagate to end the stream.
  virtual task<void> write(std::string_view data) = 0;
};

using body_producer = std::function<task<void>(body_writer&)>;

class response {
 public:
  enum class body_kind : unsigned char { none, bytes, json, stream };

  response() = default;
  explicit response(containerflare::status s) : status_(s) {}
  response(containerflare::status s, std::string body, std::string_view content_type);

  containerflare::status status() const noexcept { return status_; }
  void set_status(containerflare::status s) noexcept { status_ = s; }

  response_headers& headers() noexcept { return headers_; }
  const response_headers& headers() const noexcept { return headers_; }
  response& header(std::string_view name, std::string_view value) {
    headers_.set(name, value);
    return *this;
  }

  body_kind kind() const noexcept { return kind_; }
  const std::string& body() const noexcept { return body_; }
  const boost::json::value& json_body() const noexcept { return json_; }
  const body_producer& producer() const noexcept { return producer_; }

  // Replace the body; each sets Content-Type unless `content_type` is empty.
  void set_body(std::string body, std::string_view content_type = "text/plain; charset=utf-8");
  void set_json(boost::json::value v, std::string_view content_type = "application/json");
  void set_stream(body_producer producer, std::string_view content_type);

 private:
  containerflare::status status_ = containerflare::status::ok;
  body_kind kind_ = body_kind::none;
  response_headers headers_;
  std::string body_;
  boost::json::value json_;
  body_producer producer_;
};

// Helpers for the common cases.
response text(std::string body, status s = status::ok);
response html(std::string body, status s = status::ok);
response json(boost::json::value v, status s = status::ok);
response bytes(std::string body, std::string_view content_type, status s = status::ok);
response empty(status s = status::no_content);
response stream(body_producer producer, std::string_view content_type = "application/octet-stream");
// A JSON error body `{"error": message}` with the given status.
response json_error(status s, std::string_view message);

}  // namespace containerflare
