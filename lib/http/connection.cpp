#include "http/connection.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "containerflare/command/error.hpp"
#include "containerflare/context.hpp"
#include "containerflare/error.hpp"
#include "containerflare/log.hpp"

namespace containerflare::detail {

namespace {

constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::size_t initial_buffer = 4096;
constexpr std::size_t min_read_space = 2048;
constexpr std::size_t body_window = 16 * 1024;
constexpr std::size_t max_batched_output = 64 * 1024;

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// A request body handed to the handler piece by piece. Reading happens inside the handler's
// co_await, so the socket is read only as fast as the handler consumes (backpressure).
class connection::streamed_body final : public body_stream {
 public:
  streamed_body(connection& c, std::size_t limit) : conn_(c), limit_(limit) {}

  task<std::string_view> read() override {
    auto& pieces = conn_.parser_.body_pieces();
    for (;;) {
      if (failure_) throw std::system_error(failure_);
      if (conn_.body_piece_index_ < pieces.size()) {
        co_return pieces[conn_.body_piece_index_++];
      }
      if (conn_.parser_.current_state() == request_parser::state::complete) {
        finished_ = true;
        co_return std::string_view{};
      }
      if (!continue_sent_) {
        continue_sent_ = true;
        co_await conn_.send_continue_if_expected();
      }
      pieces.clear();
      conn_.body_piece_index_ = 0;
      co_await conn_.advance_body(limit_, failure_);
    }
  }

  bool finished() const noexcept override { return finished_; }
  std::error_code failure() const noexcept { return failure_; }

 private:
  connection& conn_;
  std::size_t limit_;
  std::error_code failure_;
  bool finished_ = false;
  bool continue_sent_ = false;
};

// Writes a streamed response body: chunked on HTTP/1.1, raw (close-delimited) on HTTP/1.0.
class connection::chunk_writer final : public body_writer {
 public:
  chunk_writer(connection& c, bool chunked) : conn_(c), chunked_(chunked) {}

  task<void> write(std::string_view data) override {
    if (data.empty()) co_return;
    std::error_code ec;
    if (chunked_) {
      std::array<char, 24> size_line{};
      auto r = std::to_chars(size_line.data(), size_line.data() + 16, data.size(), 16);
      *r.ptr++ = '\r';
      *r.ptr++ = '\n';
      conn_.out_.append(size_line.data(), r.ptr);
      ec = co_await conn_.flush_parts(data, "\r\n");
    } else {
      ec = co_await conn_.flush_parts(data, {});
    }
    if (ec) throw std::system_error(ec);
  }

 private:
  connection& conn_;
  bool chunked_;
};

// ---------------------------------------------------------------------------------------------

connection::connection(std::shared_ptr<server_state> server, asio::ip::tcp::socket socket)
    : server_(std::move(server)),
      config_(server_->config),
      socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      parser_(config_.max_request_line_bytes) {
  buffer_.resize(initial_buffer);
  std::error_code ec;
  const auto ep = socket_.remote_endpoint(ec);
  if (!ec) remote_address_ = ep.address().to_string();
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  server_->add(this);
}

connection::~connection() {
  server_->remove(this);
}

void connection::enter(phase p, std::chrono::milliseconds timeout) {
  phase_ = p;
  deadline_ = std::chrono::steady_clock::now() + timeout;
  // Move the timer only when the new deadline is earlier than its expiry; otherwise the watchdog
  // notices the later deadline when it wakes and waits again. Saves a cancel per phase change.
  if (deadline_ < timer_.expiry()) timer_.expires_at(deadline_);
}

void connection::enter(phase p) {
  phase_ = p;
  deadline_ = std::chrono::steady_clock::time_point::max();
}

task<void> connection::watchdog(std::shared_ptr<connection> self) {
  while (phase_ != phase::closed) {
    co_await timer_.async_wait(nothrow);
    if (phase_ == phase::closed) break;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline_) {
      timed_out_ = true;
      deadline_ = std::chrono::steady_clock::time_point::max();
      // Abort the pending read or write; the connection coroutine sees timed_out_.
      std::error_code ignored;
      socket_.cancel(ignored);
      timer_.expires_at(deadline_);
    } else if (timer_.expiry() <= now) {
      timer_.expires_at(deadline_);
    }
  }
  (void)self;
}

void connection::close_socket() noexcept {
  phase_ = phase::closed;
  std::error_code ignored;
  socket_.close(ignored);
  timer_.cancel();
}

void connection::on_server_stopping() {
  closing_ = true;
  if (phase_ == phase::idle) close_socket();
}

void connection::force_close() {
  close_socket();
}

// ---------------------------------------------------------------------------------------------
// Reading

void connection::make_room_for_headers() {
  if (buffer_.size() - filled_ >= min_read_space) return;
  if (message_start_ > 0) {
    // Offsets in the parser are relative to the message start, so moving the message is safe.
    std::memmove(buffer_.data(), buffer_.data() + message_start_, filled_ - message_start_);
    filled_ -= message_start_;
    parsed_ -= message_start_;
    message_start_ = 0;
  }
  if (buffer_.size() - filled_ < min_read_space) {
    buffer_.resize(std::max(buffer_.size() * 2, filled_ + min_read_space));
  }
}

void connection::make_room_for_body() {
  // Body pieces before parsed_ were consumed; keep the header block (the request's views point
  // into it) and move the unparsed tail down to where the body region starts.
  if (buffer_.size() - filled_ >= min_read_space) return;
  std::memmove(buffer_.data() + body_start_, buffer_.data() + parsed_, filled_ - parsed_);
  filled_ = body_start_ + (filled_ - parsed_);
  parsed_ = body_start_;
}

task<std::error_code> connection::read_more() {
  if (closing_ && phase_ == phase::idle) co_return asio::error::operation_aborted;
  auto [ec, n] = co_await socket_.async_read_some(
      asio::buffer(buffer_.data() + filled_, buffer_.size() - filled_), nothrow);
  filled_ += n;
  if (timed_out_ && !ec) ec = asio::error::timed_out;
  if (timed_out_ && ec == asio::error::operation_aborted) ec = asio::error::timed_out;
  co_return ec;
}

// Reads until the header block of the next request is parsed. Returns false when the connection
// must close (the error answer, if any, was sent).
task<bool> connection::read_header_block() {
  parser_.begin_message();
  message_start_ = parsed_;
  if (filled_ == parsed_) {
    parsed_ = filled_ = message_start_ = 0;
    enter(phase::idle, config_.idle_timeout);
  } else {
    enter(phase::headers, config_.header_timeout);
  }
  for (;;) {
    parsed_ +=
        parser_.feed(buffer_.data() + message_start_, buffer_.data() + parsed_, filled_ - parsed_);
    const auto st = parser_.current_state();
    if (st == request_parser::state::body || st == request_parser::state::complete) {
      // The limit holds however the block arrived, whole in one read or in pieces.
      if (parsed_ - message_start_ > config_.max_header_bytes) {
        co_await fail_and_close(status::request_header_fields_too_large, "header block too large");
        co_return false;
      }
      co_return true;
    }
    if (st == request_parser::state::failed) {
      co_await fail_and_close(parser_.error_status(), parser_.error_reason());
      co_return false;
    }
    if (filled_ - message_start_ > config_.max_header_bytes) {
      const bool in_request_line = parser_.headers().empty();
      co_await fail_and_close(
          in_request_line ? status::uri_too_long : status::request_header_fields_too_large,
          "header block too large");
      co_return false;
    }
    // Nothing complete is left in the buffer: send what the pipelined requests produced.
    if (!out_.empty() && co_await flush()) co_return false;
    if (closing_ && filled_ == message_start_) co_return false;
    make_room_for_headers();
    const bool idle = filled_ == message_start_;
    if (auto ec = co_await read_more()) {
      if (ec == asio::error::timed_out && !idle) {
        co_await fail_and_close(status::request_timeout, "header timeout");
      }
      co_return false;
    }
    if (idle) enter(phase::headers, config_.header_timeout);
  }
}

void connection::build_request() {
  const char* base = buffer_.data() + message_start_;
  request_.reset();
  request_.set_method(parser_.method());
  request_.set_target(parser_.url().in(base));
  request_.set_version(parser_.version_major(), parser_.version_minor());
  auto& headers = request_.mutable_headers();
  for (const auto& h : parser_.headers()) headers.add(h.name.in(base), h.value.in(base));
}

// Rules llhttp lets through that we enforce (request smuggling and RFC 9112 musts).
const char* connection::validate_request() const {
  int hosts = 0;
  for (const auto& h : request_.headers()) {
    if (h.name.empty() || !std::all_of(h.name.begin(), h.name.end(), is_token_char)) {
      return "invalid header name";
    }
    if (h.value.find_first_of("\r\n") != std::string_view::npos) return "obsolete line folding";
    if (iequals(h.name, "Host")) ++hosts;
  }
  if (hosts > 1) return "duplicate Host header";
  if (hosts == 0 && request_.version_minor() >= 1) return "missing Host header";
  if (parser_.chunked() && request_.version_minor() == 0) {
    return "chunked transfer encoding on HTTP/1.0";
  }
  return nullptr;
}

task<void> connection::send_continue_if_expected() {
  const auto expect = request_.header("Expect");
  if (!expect || !iequals(*expect, "100-continue") || request_.version_minor() == 0) co_return;
  if (parsed_ < filled_) co_return;  // the client is already sending the body
  static constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
  const auto saved = phase_;
  const auto saved_deadline = deadline_;
  enter(phase::writing, config_.write_timeout);
  co_await asio::async_write(socket_, asio::buffer(interim), nothrow);
  phase_ = saved;
  deadline_ = saved_deadline;
}

// Parses what is buffered of the body, reading from the socket when that parsed nothing new.
// Returns false with `failure` set when the body cannot be read (disconnect, timeout, over the
// limit, malformed framing).
task<bool> connection::advance_body(std::size_t limit, std::error_code& failure) {
  for (;;) {
    const auto seen_before = parser_.body_bytes_seen();
    // A zero-length feed is what lets llhttp finish a message without body.
    parsed_ +=
        parser_.feed(buffer_.data() + message_start_, buffer_.data() + parsed_, filled_ - parsed_);
    if (parser_.current_state() == request_parser::state::failed) {
      failure = http_error::malformed_body;
      co_return false;
    }
    if (parser_.body_bytes_seen() > limit) {
      failure = http_error::body_too_large;
      co_return false;
    }
    if (parser_.current_state() == request_parser::state::complete ||
        parser_.body_bytes_seen() != seen_before) {
      co_return true;
    }
    make_room_for_body();
    const auto saved = phase_;
    enter(phase::body, config_.body_timeout);
    const auto ec = co_await read_more();
    if (phase_ != phase::closed) enter(saved);  // no deadline while the handler works
    if (ec == asio::error::timed_out) {
      failure = http_error::body_timeout;
      co_return false;
    }
    if (ec) {
      failure = http_error::client_disconnected;
      co_return false;
    }
  }
}

// Buffers the whole body into body_. False: an error answer was sent (or the peer is gone).
task<bool> connection::read_whole_body(std::size_t limit) {
  body_.clear();
  bool continue_checked = false;
  std::error_code failure;
  for (;;) {
    for (auto piece : parser_.body_pieces()) body_.append(piece);
    parser_.body_pieces().clear();
    if (parser_.current_state() == request_parser::state::complete) break;
    if (!continue_checked && parser_.has_body()) {
      continue_checked = true;
      co_await send_continue_if_expected();
    }
    if (co_await advance_body(limit, failure)) continue;
    if (failure == http_error::body_too_large) {
      co_await fail_and_close(status::payload_too_large, "body over the limit");
    } else if (failure == http_error::body_timeout) {
      co_await fail_and_close(status::request_timeout, "body timeout");
    } else if (failure == http_error::malformed_body) {
      co_await fail_and_close(parser_.error_status(), parser_.error_reason());
    }
    co_return false;
  }
  request_.set_body(body_);
  co_return true;
}

// After a streamed handler returned without reading everything: consume the rest so the next
// request on this connection starts at the right byte.
task<bool> connection::discard_rest_of_body(std::size_t limit) {
  std::error_code failure;
  while (parser_.current_state() != request_parser::state::complete) {
    parser_.body_pieces().clear();
    if (!co_await advance_body(limit, failure)) co_return false;
  }
  parser_.body_pieces().clear();
  co_return true;
}

// ---------------------------------------------------------------------------------------------
// Handling and writing

task<response> connection::call_handler(const route_match& m) {
  context ctx(request_, server_->services, socket_.get_executor());
  ctx.set_remote_address(remote_address_);
  try {
    co_return co_await server_->app.handle(m, request_, ctx);
  } catch (const command_error& e) {
    // A command the handler did not handle: 502 for a failure, 503 when no host is there, 504
    // for a timeout, with the diagnostic (it describes the host's answer, not our internals).
    log::warn("command failed",
              {{"method", request_.method()}, {"path", request_.path()}, {"error", e.what()}});
    co_return json(boost::json::object{{"error", e.diagnostic()}, {"kind", to_string(e.kind())}},
                   static_cast<status>(e.http_status()));
  } catch (const std::system_error& e) {
    if (stream_ && stream_->failure()) {
      // The handler gave up because reading the body failed; answer for that failure.
      if (stream_->failure() == http_error::body_too_large) {
        co_return response(status::payload_too_large, "Payload Too Large\n",
                           "text/plain; charset=utf-8");
      }
      if (stream_->failure() == http_error::body_timeout) {
        co_return response(status::request_timeout, "Request Timeout\n",
                           "text/plain; charset=utf-8");
      }
      co_return response(status::bad_request, "Bad Request\n", "text/plain; charset=utf-8");
    }
    log::error("handler failed",
               {{"method", request_.method()}, {"path", request_.path()}, {"error", e.what()}});
  } catch (const std::exception& e) {
    log::error("handler failed",
               {{"method", request_.method()}, {"path", request_.path()}, {"error", e.what()}});
  } catch (...) {
    log::error(
        "handler failed",
        {{"method", request_.method()}, {"path", request_.path()}, {"error", "unknown exception"}});
  }
  co_return response(status::internal_server_error, "Internal Server Error\n",
                     "text/plain; charset=utf-8");
}

// Handles one parsed header block. False: close the connection.
task<bool> connection::handle_request() {
  // Views into the header block are made below; reserve the body window first so that reading
  // the body never grows (and so moves) the buffer under them.
  body_start_ = parsed_;
  body_piece_index_ = 0;
  if (parser_.has_body() && buffer_.size() < body_start_ + body_window) {
    buffer_.resize(body_start_ + body_window);
  }
  build_request();
  if (const char* problem = validate_request()) {
    co_await fail_and_close(status::bad_request, problem);
    co_return false;
  }
  const route_match m = server_->app.match(request_.method(), request_.path(), request_);
  const route_options* opts = m.options;
  const std::size_t limit =
      opts && opts->max_body_bytes ? *opts->max_body_bytes : config_.max_body_bytes;
  // Reject an announced oversize body before reading any of it.
  if (parser_.has_content_length() && parser_.content_length() > limit) {
    co_await fail_and_close(status::payload_too_large, "declared body over the limit");
    co_return false;
  }
  if (const auto expect = request_.header("Expect"); expect && !iequals(*expect, "100-continue")) {
    co_await fail_and_close(status::expectation_failed, "unsupported Expect");
    co_return false;
  }

  const bool streaming = opts && opts->stream_body && parser_.has_body();
  if (streaming) {
    stream_ = std::make_unique<streamed_body>(*this, limit);
    request_.set_stream(stream_.get());
  } else {
    enter(phase::handler);
    if (!co_await read_whole_body(limit)) co_return false;
  }

  enter(phase::handler);
  response res = co_await call_handler(m);
  if (phase_ == phase::closed) co_return false;

  bool keep_alive = parser_.keep_alive() && !closing_ && !server_->stopping;
  if (streaming) {
    const auto failure = stream_->failure();
    request_.set_stream(nullptr);
    if (failure) {
      keep_alive = false;  // the request's framing is unknown now
    } else if (!stream_->finished() && !co_await discard_rest_of_body(limit)) {
      keep_alive = false;
    }
    stream_.reset();
  }
  co_return co_await write_response(res, keep_alive) && keep_alive;
}

task<std::error_code> connection::flush(std::string_view tail) {
  co_return co_await flush_parts(tail, {});
}

task<std::error_code> connection::flush_parts(std::string_view a, std::string_view b) {
  const std::array<asio::const_buffer, 3> parts{
      asio::buffer(out_), asio::buffer(a.data(), a.size()), asio::buffer(b.data(), b.size())};
  const auto saved = phase_;
  const auto saved_deadline = deadline_;
  enter(phase::writing, config_.write_timeout);
  auto [ec, n] = co_await asio::async_write(socket_, parts, nothrow);
  (void)n;
  if (phase_ != phase::closed) {
    phase_ = saved;
    deadline_ = saved_deadline;
  }
  out_.clear();
  if (out_.capacity() > 1024 * 1024) out_.shrink_to_fit();  // don't keep a huge buffer around
  if (timed_out_ && ec) ec = asio::error::timed_out;
  co_return ec;
}

task<bool> connection::write_response(response& res, bool keep_alive) {
  framing f;
  f.head_request = request_.method() == "HEAD";
  f.http10 = request_.version_minor() == 0;
  f.keep_alive = keep_alive;
  f.announce_keep_alive = keep_alive && f.http10;
  const std::string_view large_body = serializer_.append(res, f, config_.server_header, out_);

  if (res.kind() == response::body_kind::stream && !f.head_request &&
      status_allows_body(res.status())) {
    chunk_writer writer(*this, serializer_.chunked());
    bool ok = true;
    try {
      co_await res.producer()(writer);
    } catch (const std::exception& e) {
      log::warn("response stream ended early", {{"path", request_.path()}, {"error", e.what()}});
      ok = false;
    }
    if (!ok || phase_ == phase::closed) co_return false;  // the client sees a truncated body
    if (serializer_.chunked()) {
      out_.append("0\r\n\r\n");
    } else {
      co_await flush();
      co_return false;  // HTTP/1.0: the end of the body is the end of the connection
    }
    co_await flush();
    co_return phase_ != phase::closed;
  }

  if (!large_body.empty() || out_.size() >= max_batched_output || !keep_alive) {
    if (co_await flush(large_body)) co_return false;
  }
  co_return true;
}

task<void> connection::fail_and_close(status s, std::string_view reason) {
  log::debug("closing connection after error",
             {{"status", static_cast<int>(s)}, {"reason", reason}, {"peer", remote_address_}});
  if (phase_ == phase::closed) co_return;
  timed_out_ = false;
  response res(s, std::string(reason_phrase(s)) + "\n", "text/plain; charset=utf-8");
  framing f;
  f.keep_alive = false;
  serializer_.append(res, f, config_.server_header, out_);
  if (!co_await flush()) co_await close_gracefully();
  close_socket();
}

// Half-closes, then reads and discards what the client still sends (up to a deadline and a byte
// budget) so that it reads our last response instead of a connection reset.
task<void> connection::close_gracefully() {
  std::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  timed_out_ = false;
  enter(phase::lingering, config_.linger_timeout);
  std::size_t discarded = 0;
  std::array<char, 16 * 1024> sink;
  while (discarded < config_.linger_max_bytes && phase_ != phase::closed) {
    auto [rec, n] = co_await socket_.async_read_some(asio::buffer(sink), nothrow);
    if (rec) break;
    discarded += n;
  }
}

task<void> connection::run() {
  asio::co_spawn(socket_.get_executor(), watchdog(shared_from_this()), asio::detached);
  bool keep_going = true;
  while (keep_going && co_await read_header_block()) {
    keep_going = co_await handle_request() && !closing_ && !server_->stopping;
    if (!keep_going && phase_ != phase::closed) {
      if (!out_.empty()) co_await flush();
      // We answered and now close: linger so the client reads the answer, not a reset.
      if (phase_ != phase::closed) co_await close_gracefully();
    }
  }
  close_socket();
}

}  // namespace containerflare::detail
