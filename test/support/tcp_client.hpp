#pragma once
// A blocking TCP client that speaks raw HTTP/1.x to a server under test: the exact bytes a test
// writes go out, the exact bytes the server answers come back. Every read has a receive timeout
// so that a server that never answers fails the test instead of hanging it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace containerflare::test {

// What one recv() saw.
enum class read_outcome { data, closed, timed_out, reset, failed };
std::string_view describe(read_outcome o) noexcept;

// Thrown when the server's answer is not what HTTP framing promised (closed early, reset, timed
// out, garbled). The message says what was received so far.
struct protocol_failure : std::runtime_error {
  protocol_failure(const std::string& what, read_outcome o)
      : std::runtime_error(what), outcome(o) {}
  read_outcome outcome;
};

struct http_response {
  std::string raw;   // every byte of the response as it came over the wire
  std::string head;  // status line and header fields, with the blank line
  int version_minor = 1;
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // chunked framing removed
  bool chunked = false;
  std::vector<std::string> chunks;  // the chunks of a chunked body, in order

  // First value of `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
  std::size_t header_count(std::string_view name) const;
  // `raw` with the Date value replaced by "<date>" (see mask_date).
  std::string masked() const;
};

// Replaces the value of every "Date:" field with "<date>" when it is an IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT") and with "<malformed date: VALUE>" otherwise, so that tests
// can compare whole responses byte for byte.
std::string mask_date(std::string_view raw);

class tcp_client {
 public:
  // Connects to 127.0.0.1:`port`. Throws std::system_error when the connection fails.
  explicit tcp_client(std::uint16_t port,
                      std::chrono::milliseconds receive_timeout = std::chrono::seconds(10));
  ~tcp_client();
  tcp_client(tcp_client&& other) noexcept;
  tcp_client& operator=(tcp_client&& other) noexcept;
  tcp_client(const tcp_client&) = delete;
  tcp_client& operator=(const tcp_client&) = delete;

  // Connects once and closes again; returns 0 when the connection was accepted, else the errno
  // (ECONNREFUSED when nothing listens).
  static int probe_connect(std::uint16_t port);

  int fd() const noexcept { return fd_; }
  void set_no_delay(bool on);
  void set_receive_timeout(std::chrono::milliseconds timeout);
  // Shrinks the kernel receive buffer (so a client that stops reading stalls the server sooner).
  void set_receive_buffer(int bytes);

  // Sends all of `data`; throws std::system_error on failure.
  void send(std::string_view data);
  // Sends all of `data`; returns the error instead of throwing (EPIPE, ECONNRESET, ...).
  std::error_code try_send(std::string_view data);
  // Sends what the socket accepts without blocking; returns the bytes sent (0 when full).
  std::size_t send_nonblocking(std::string_view data, std::error_code& ec);
  void shutdown_write();
  void close() noexcept;

  // --- reading; bytes past what a call consumes stay buffered for the next call ---

  // Reads once from the socket into the buffer.
  read_outcome fill();
  // Reads without blocking when nothing is available (returns timed_out then).
  read_outcome fill_nonblocking();
  std::size_t buffered() const noexcept { return in_.size() - pos_; }
  std::string_view buffered_view() const noexcept { return std::string_view(in_).substr(pos_); }
  std::string take_buffered();

  // One whole response. `head_request`: the response to a HEAD has no body.
  http_response read_response(bool head_request = false);
  // The status line and header fields only; read the body with read_chunk / read_exactly.
  http_response read_head();
  // The next chunk of a chunked body after read_head: its data, or nullopt after the last chunk
  // (trailers consumed). Appends the wire bytes to `res.raw` and the data to `res.body`.
  std::optional<std::string> read_chunk(http_response& res);
  std::string read_exactly(std::size_t n);
  std::string read_until(std::string_view delimiter);  // includes the delimiter
  // Everything until the server closes; throws when the close does not come.
  std::string read_to_end();
  // Reads once more and expects the end of the stream: closed when the server closed, data when
  // it sent more, timed_out when it kept the connection open.
  read_outcome expect_close();

 private:
  void ensure(std::size_t n);
  [[noreturn]] void fail(std::string_view expected, read_outcome o) const;
  void read_body(http_response& res, bool head_request);

  int fd_ = -1;
  std::string in_;
  std::size_t pos_ = 0;
};

// Builds "METHOD target HTTP/1.1\r\nHost: test\r\n<extra>\r\n<body>" with a Content-Length when
// the body is not empty. `extra` is a block of complete header lines.
std::string http_request(std::string_view method, std::string_view target,
                         std::string_view extra_headers = {}, std::string_view body = {});

}  // namespace containerflare::test
