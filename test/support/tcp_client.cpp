#include "support/tcp_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace containerflare::test {

namespace {

constexpr std::size_t max_head_bytes = 1024 * 1024;

bool iequal(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
bool is_imf_fixdate(std::string_view v) {
  static constexpr std::string_view days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (v.size() != 29) return false;
  if (std::find(std::begin(days), std::end(days), v.substr(0, 3)) == std::end(days)) return false;
  if (std::find(std::begin(months), std::end(months), v.substr(8, 3)) == std::end(months)) {
    return false;
  }
  const std::string_view shape = "Ddd, 00 Mmm 0000 00:00:00 GMT";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == '0' && !is_digit(v[i])) return false;
    if (shape[i] != '0' && shape[i] != 'D' && shape[i] != 'd' && shape[i] != 'M' &&
        shape[i] != 'm' && shape[i] != v[i]) {
      return false;
    }
  }
  return true;
}

std::string printable(std::string_view s, std::size_t limit = 400) {
  std::string out;
  for (char c : s.substr(0, limit)) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  if (s.size() > limit) out += "...";
  return out;
}

}  // namespace

std::string_view describe(read_outcome o) noexcept {
  switch (o) {
    case read_outcome::data:
      return "data";
    case read_outcome::closed:
      return "connection closed by the server";
    case read_outcome::timed_out:
      return "receive timeout";
    case read_outcome::reset:
      return "connection reset";
    case read_outcome::failed:
      return "receive error";
  }
  return "?";
}

std::optional<std::string> http_response::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequal(n, name)) return v;
  }
  return std::nullopt;
}

std::size_t http_response::header_count(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(headers.begin(), headers.end(),
                    [&](const auto& field) { return iequal(field.first, name); }));
}

std::string http_response::masked() const {
  return mask_date(raw);
}

std::string mask_date(std::string_view raw) {
  const std::string_view end_of_head = "\r\n\r\n";
  const auto head_end = raw.find(end_of_head);
  const std::string_view head = raw.substr(0, head_end);
  std::string out;
  std::size_t from = 0;
  for (;;) {
    const auto at = head.find("\r\nDate: ", from);
    if (at == std::string_view::npos) break;
    const auto value_start = at + 8;
    const auto value_end = std::min(head.find("\r\n", value_start), head.size());
    const auto value = head.substr(value_start, value_end - value_start);
    out.append(raw.substr(from, value_start - from));
    out += is_imf_fixdate(value) ? "<date>" : "<malformed date: " + std::string(value) + ">";
    from = value_end;
  }
  out.append(raw.substr(from));
  return out;
}

std::string http_request(std::string_view method, std::string_view target,
                         std::string_view extra_headers, std::string_view body) {
  std::string r;
  r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: test\r\n");
  r.append(extra_headers);
  if (!body.empty())
    r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  r.append("\r\n").append(body);
  return r;
}

// ---------------------------------------------------------------------------------------------

tcp_client::tcp_client(std::uint16_t port, std::chrono::milliseconds receive_timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::system_category(), "socket");
  const auto addr = loopback(port);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    throw std::system_error(err, std::system_category(),
                            "connect to 127.0.0.1:" + std::to_string(port));
  }
  set_receive_timeout(receive_timeout);
}

tcp_client::~tcp_client() {
  close();
}

tcp_client::tcp_client(tcp_client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), in_(std::move(other.in_)), pos_(other.pos_) {}

tcp_client& tcp_client::operator=(tcp_client&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    in_ = std::move(other.in_);
    pos_ = other.pos_;
  }
  return *this;
}

int tcp_client::probe_connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  const auto addr = loopback(port);
  const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int err = rc == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

void tcp_client::set_no_delay(bool on) {
  const int value = on ? 1 : 0;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &value, sizeof value);
}

void tcp_client::set_receive_timeout(std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

void tcp_client::set_receive_buffer(int bytes) {
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

void tcp_client::send(std::string_view data) {
  if (auto ec = try_send(data)) throw std::system_error(ec, "send");
}

std::error_code tcp_client::try_send(std::string_view data) {
  while (!data.empty()) {
    const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return {errno, std::system_category()};
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

std::size_t tcp_client::send_nonblocking(std::string_view data, std::error_code& ec) {
  ec.clear();
  const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n >= 0) return static_cast<std::size_t>(n);
  if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    ec = {errno, std::system_category()};
  }
  return 0;
}

void tcp_client::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

void tcp_client::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

namespace {

read_outcome receive(int fd, std::string& in, std::size_t& pos, int flags) {
  if (pos > 0 && pos == in.size()) {
    in.clear();
    pos = 0;
  }
  char chunk[64 * 1024];
  for (;;) {
    const auto n = ::recv(fd, chunk, sizeof chunk, flags);
    if (n > 0) {
      in.append(chunk, static_cast<std::size_t>(n));
      return read_outcome::data;
    }
    if (n == 0) return read_outcome::closed;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return read_outcome::timed_out;
    if (errno == ECONNRESET) return read_outcome::reset;
    return read_outcome::failed;
  }
}

}  // namespace

read_outcome tcp_client::fill() {
  return receive(fd_, in_, pos_, 0);
}

read_outcome tcp_client::fill_nonblocking() {
  return receive(fd_, in_, pos_, MSG_DONTWAIT);
}

std::string tcp_client::take_buffered() {
  std::string out = in_.substr(pos_);
  in_.clear();
  pos_ = 0;
  return out;
}

void tcp_client::fail(std::string_view expected, read_outcome o) const {
  throw protocol_failure(std::string(describe(o)) + " while waiting for " + std::string(expected) +
                             "; buffered: \"" + printable(std::string_view(in_).substr(pos_)) +
                             "\"",
                         o);
}

void tcp_client::ensure(std::size_t n) {
  while (buffered() < n) {
    const auto o = fill();
    if (o != read_outcome::data) fail(std::to_string(n) + " bytes", o);
  }
}

std::string tcp_client::read_exactly(std::size_t n) {
  ensure(n);
  std::string out = in_.substr(pos_, n);
  pos_ += n;
  return out;
}

std::string tcp_client::read_until(std::string_view delimiter) {
  std::size_t scanned = 0;  // bytes after pos_ known not to start the delimiter
  for (;;) {
    const auto at = in_.find(delimiter, pos_ + scanned);
    if (at != std::string::npos) {
      const auto end = at + delimiter.size();
      std::string out = in_.substr(pos_, end - pos_);
      pos_ = end;
      return out;
    }
    if (buffered() > max_head_bytes) {
      fail("\"" + printable(delimiter) + "\" (too much data)", read_outcome::data);
    }
    scanned = buffered() >= delimiter.size() ? buffered() - delimiter.size() + 1 : 0;
    const auto o = fill();
    if (o != read_outcome::data) fail("\"" + printable(delimiter) + "\"", o);
  }
}

std::string tcp_client::read_to_end() {
  for (;;) {
    const auto o = fill();
    if (o == read_outcome::closed) return take_buffered();
    if (o != read_outcome::data) fail("the end of the stream", o);
  }
}

read_outcome tcp_client::expect_close() {
  if (buffered() > 0) return read_outcome::data;
  return fill();
}

http_response tcp_client::read_head() {
  http_response res;
  res.head = read_until("\r\n\r\n");
  res.raw = res.head;
  const std::string_view head = res.head;
  // "HTTP/1.1 200 OK\r\n"
  if (head.size() < 12 || head.substr(0, 7) != "HTTP/1." || !is_digit(head[7]) || head[8] != ' ') {
    throw protocol_failure("malformed status line: \"" + printable(head) + "\"",
                           read_outcome::data);
  }
  res.version_minor = head[7] - '0';
  const auto line_end = head.find("\r\n");
  const auto code = head.substr(9, 3);
  if (std::from_chars(code.data(), code.data() + 3, res.status).ptr != code.data() + 3) {
    throw protocol_failure("malformed status code: \"" + printable(head) + "\"",
                           read_outcome::data);
  }
  if (line_end > 13) res.reason = std::string(head.substr(13, line_end - 13));
  std::size_t at = line_end + 2;
  while (at < head.size() - 2) {
    const auto eol = head.find("\r\n", at);
    const auto line = head.substr(at, eol - at);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      throw protocol_failure("header line without colon: \"" + printable(line) + "\"",
                             read_outcome::data);
    }
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    res.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    at = eol + 2;
  }
  const auto te = res.header("Transfer-Encoding");
  res.chunked = te && iequal(*te, "chunked");
  return res;
}

std::optional<std::string> tcp_client::read_chunk(http_response& res) {
  const std::string size_line = read_until("\r\n");
  res.raw += size_line;
  std::size_t size = 0;
  const auto digits_end = size_line.find_first_of(";\r");
  const auto r = std::from_chars(size_line.data(), size_line.data() + digits_end, size, 16);
  if (r.ptr != size_line.data() + digits_end || digits_end == 0) {
    throw protocol_failure("malformed chunk size line: \"" + printable(size_line) + "\"",
                           read_outcome::data);
  }
  if (size == 0) {
    // Trailer fields, then the blank line.
    for (;;) {
      const std::string line = read_until("\r\n");
      res.raw += line;
      if (line == "\r\n") return std::nullopt;
    }
  }
  std::string data = read_exactly(size);
  const std::string crlf = read_exactly(2);
  if (crlf != "\r\n") {
    throw protocol_failure("chunk data not followed by CRLF", read_outcome::data);
  }
  res.raw += data;
  res.raw += crlf;
  res.body += data;
  res.chunks.push_back(data);
  return data;
}

void tcp_client::read_body(http_response& res, bool head_request) {
  if (head_request || res.status < 200 || res.status == 204 || res.status == 304) return;
  if (res.chunked) {
    while (read_chunk(res)) {
    }
    return;
  }
  if (const auto length = res.header("Content-Length")) {
    std::size_t n = 0;
    const auto r = std::from_chars(length->data(), length->data() + length->size(), n);
    if (r.ptr != length->data() + length->size()) {
      throw protocol_failure("malformed Content-Length: " + *length, read_outcome::data);
    }
    res.body = read_exactly(n);
    res.raw += res.body;
    return;
  }
  // Neither: the body ends when the connection does (HTTP/1.0 style).
  res.body = read_to_end();
  res.raw += res.body;
}

http_response tcp_client::read_response(bool head_request) {
  http_response res = read_head();
  read_body(res, head_request);
  return res;
}

}  // namespace containerflare::test
