#pragma once
// An HTTP request as a handler sees it. Method, target and headers are views into the
// connection's read buffer, valid for the duration of the handler call.

#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "containerflare/headers.hpp"
#include "containerflare/task.hpp"

namespace containerflare {

// A request body read piece by piece, with backpressure: the connection reads more from the
// socket only when the handler asks for the next piece. Used by routes that set
// `route_options::stream_body`.
class body_stream {
 public:
  virtual ~body_stream() = default;
  // The next piece of the body, valid until the next call; an empty view at the end of the body.
  // Throws std::system_error when the client disconnects, times out, or exceeds the route's limit.
  virtual task<std::string_view> read() = 0;
  // True once the whole body has been read.
  virtual bool finished() const noexcept = 0;
};

struct path_param {
  std::string_view name;
  std::string_view value;  // percent-decoded
};

class request {
 public:
  request() = default;
  request(const request&) = delete;
  request& operator=(const request&) = delete;

  std::string_view method() const noexcept { return method_; }
  // The request target as sent ("/a/b?x=1").
  std::string_view target() const noexcept { return target_; }
  // The path part of the target, not decoded ("/a/b").
  std::string_view path() const noexcept { return path_; }
  // The raw query string without '?', not decoded ("x=1").
  std::string_view query_string() const noexcept { return query_; }
  // First value of a query parameter, percent- and '+'-decoded.
  std::optional<std::string> query(std::string_view name) const;
  // Every query parameter in order, decoded.
  std::vector<std::pair<std::string, std::string>> query_params() const;

  int version_major() const noexcept { return version_major_; }
  int version_minor() const noexcept { return version_minor_; }

  const header_list& headers() const noexcept { return headers_; }
  std::optional<std::string_view> header(std::string_view name) const noexcept {
    return headers_.get(name);
  }

  // The buffered body. Empty for streamed routes (use body_stream()).
  std::string_view body() const noexcept { return body_; }
  std::string_view text() const noexcept { return body_; }
  std::span<const std::byte> bytes() const noexcept {
    return std::as_bytes(std::span<const char>(body_.data(), body_.size()));
  }
  // Non-null only on routes with `stream_body` set.
  body_stream* stream() const noexcept { return stream_; }

  // Value of a path parameter (`/users/{id}` → param("id")); empty when absent.
  std::string_view param(std::string_view name) const noexcept;
  std::optional<std::string_view> find_param(std::string_view name) const noexcept;
  const std::vector<path_param>& params() const noexcept { return params_; }

  // --- building (the engine, the router and tests) ---
  void set_method(std::string_view m) noexcept { method_ = m; }
  // Sets target, path and query.
  void set_target(std::string_view t) noexcept;
  void set_version(int major, int minor) noexcept {
    version_major_ = major;
    version_minor_ = minor;
  }
  header_list& mutable_headers() noexcept { return headers_; }
  void set_body(std::string_view b) noexcept { body_ = b; }
  void set_stream(body_stream* s) noexcept { stream_ = s; }
  // Adds a path parameter; `raw_value` is percent-decoded (into owned storage when needed).
  void add_param(std::string_view name, std::string_view raw_value);
  void clear_params() noexcept { params_.clear(); }
  // Copies `s` into storage owned by the request and returns a view of the copy.
  std::string_view own(std::string s);
  // Forgets everything (for reuse on the next request of a connection).
  void reset() noexcept;

 private:
  std::string_view method_;
  std::string_view target_;
  std::string_view path_;
  std::string_view query_;
  int version_major_ = 1;
  int version_minor_ = 1;
  header_list headers_;
  std::string_view body_;
  body_stream* stream_ = nullptr;
  std::vector<path_param> params_;
  std::deque<std::string> owned_;
};

// Decodes %XX escapes (and '+' as space when `plus_is_space`); invalid escapes are kept as-is.
std::string percent_decode(std::string_view in, bool plus_is_space = false);

}  // namespace containerflare
