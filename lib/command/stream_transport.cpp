#include "stream_transport.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "connect.hpp"
#include "containerflare/log.hpp"
#include "text.hpp"

namespace containerflare::detail {
namespace {

constexpr auto non_throwing = asio::experimental::as_tuple(asio::use_awaitable);

// Writes to a pipe or socket whose reader is gone raise SIGPIPE, which would kill the process;
// the write error is handled instead. A handler installed by the application is left alone.
void ignore_sigpipe() {
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    ::signal(SIGPIPE, SIG_IGN);
  }
}

// Why `fd` cannot carry the stdio channel, or empty when it can (a pipe, socket or terminal:
// something that signals readiness and has a process on the other end).
std::string unusable_stdio_reason(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return "not open";
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) return {};
  if (S_ISCHR(st.st_mode) && ::isatty(fd) == 1) return {};
  if (S_ISREG(st.st_mode)) return "a regular file";
  if (S_ISCHR(st.st_mode)) return "a character device such as /dev/null";
  return "neither a pipe nor a socket";
}

// `{"id":123` at the start of a line (what our hosts and the Worker write first).
std::optional<std::uint64_t> leading_id(std::string_view text) {
  auto skip_blanks = [&text] {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  };
  auto expect = [&](std::string_view token) {
    skip_blanks();
    if (!text.starts_with(token)) return false;
    text.remove_prefix(token.size());
    return true;
  };
  if (!expect("{") || !expect("\"id\"") || !expect(":")) return std::nullopt;
  skip_blanks();
  const auto digits = text.substr(0, text.find_first_not_of("0123456789"));
  if (digits.size() == text.size()) return std::nullopt;  // the number may go on
  return parse_unsigned(digits);
}

std::string_view head(std::string_view text, std::size_t bytes) {
  return text.substr(0, std::min(text.size(), bytes));
}

}  // namespace

struct stream_transport::connection {
  connection(asio::posix::stream_descriptor in, std::optional<asio::posix::stream_descriptor> out,
             std::size_t max_line)
      : input(std::move(in)),
        separate_output(std::move(out)),
        reader(max_line, 64 * 1024, message_parser::padding()) {}

  asio::posix::stream_descriptor& output() { return separate_output ? *separate_output : input; }
  void close() {
    std::error_code ignored;
    input.close(ignored);
    if (separate_output) separate_output->close(ignored);
  }

  asio::posix::stream_descriptor input;
  std::optional<asio::posix::stream_descriptor> separate_output;  // stdio: stdout
  line_reader reader;
};

struct stream_transport::opened {
  std::shared_ptr<connection> conn;
  std::string error;       // why it failed
  bool permanent = false;  // a stdio that can never work
};

stream_transport::stream_transport(asio::any_io_executor executor, command_options options)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      name_(options_.endpoint.to_string()),
      backoff_(options_.reconnect_backoff) {
  ignore_sigpipe();
}

stream_transport::~stream_transport() {
  if (conn_) conn_->close();
}

task<command_result> stream_transport::call(std::string command, boost::json::value payload,
                                            std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  const auto deadline = clock::now() + timeout;
  if (shut_) co_return *shut_;
  if (!conn_) {
    if (auto failure = co_await ensure_connected(deadline)) co_return std::move(*failure);
    if (!conn_) {
      co_return shut_ ? *shut_
                      : command_result::failure(command_errc::transport_closed,
                                                "the command channel closed after connecting");
    }
  }

  const auto id = calls_.next_id();
  pending_call call(executor_);
  call.timer.expires_at(deadline);
  calls_.add(id, &call);
  // However this coroutine ends, a call without a result leaves the table; its reply, should it
  // still come, is then recognised as late and dropped.
  struct abandon_on_exit {
    call_table& calls;
    std::uint64_t id;
    pending_call& call;
    ~abandon_on_exit() {
      if (!call.result) calls.abandon(id);
    }
  } guard{calls_, id, call};

  append_request_line(outbox_, id, command, payload);
  start_writing();
  std::error_code ignored;
  if (!call.result) {
    co_await call.timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (call.result) co_return std::move(*call.result);
  co_return command_result::failure(
      command_errc::timeout,
      "no reply to \"" + command + "\" from " + name_ + " within " + format_ms(timeout));
}

void stream_transport::close() {
  auto conn = conn_;
  shut(command_errc::transport_closed, "the command client is closed");
  lose(conn, "the command client was closed");
}

task<std::optional<command_result>> stream_transport::ensure_connected(clock::time_point deadline) {
  const auto now = clock::now();
  if (!connecting_ && now < retry_after_) {
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(retry_after_ - now);
    co_return command_result::failure(command_errc::io,
                                      last_connect_error_ + "; next attempt in " + format_ms(wait));
  }
  // Registered before the attempt starts: co_spawn may run it to the end right here (stdio
  // opens without waiting).
  pending_call waiter(executor_);
  waiter.timer.expires_at(deadline);
  connect_waiters_.push_back(&waiter);
  struct forget_on_exit {
    std::vector<pending_call*>& waiters;
    pending_call* waiter;
    ~forget_on_exit() { std::erase(waiters, waiter); }
  } guard{connect_waiters_, &waiter};
  if (!connecting_) {
    connecting_ = true;
    asio::co_spawn(executor_, connect_and_notify(shared_from_this()), asio::detached);
  }
  std::error_code ignored;
  if (!waiter.result) {
    co_await waiter.timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (!waiter.result) {
    co_return command_result::failure(command_errc::timeout, "timed out connecting to " + name_);
  }
  if (waiter.result->ok()) co_return std::nullopt;
  co_return std::move(*waiter.result);
}

task<void> stream_transport::connect_and_notify(std::shared_ptr<stream_transport> self) {
  auto result = co_await open(clock::now() + options_.connect_timeout);
  connecting_ = false;
  auto waiters = std::exchange(connect_waiters_, {});
  if (!shut_ && !result.conn && result.permanent) {
    log::warn("command channel unavailable", {{"endpoint", name_}, {"reason", result.error}});
    shut(command_errc::unavailable, result.error);
  }
  if (shut_) {
    if (result.conn) result.conn->close();
    for (auto* waiter : waiters) waiter->complete(*shut_);
    co_return;
  }
  if (!result.conn) {
    last_connect_error_ = "cannot connect to " + name_ + ": " + result.error;
    retry_after_ = clock::now() + backoff_;
    log::warn("command channel connect failed",
              {{"endpoint", name_}, {"error", result.error}, {"retry_after_ms", backoff_.count()}});
    backoff_ = std::min(backoff_ * 2, options_.max_reconnect_backoff);
    for (auto* waiter : waiters) {
      waiter->complete(command_result::failure(command_errc::io, last_connect_error_));
    }
    co_return;
  }
  backoff_ = options_.reconnect_backoff;
  retry_after_ = {};
  conn_ = std::move(result.conn);
  log::debug("command channel connected", {{"endpoint", name_}});
  asio::co_spawn(executor_, read_loop(self, conn_), asio::detached);
  for (auto* waiter : waiters) waiter->complete(command_result::success(nullptr));
}

task<stream_transport::opened> stream_transport::open(clock::time_point deadline) {
  const auto& ep = options_.endpoint;
  std::error_code error;
  int fd = -1;
  if (ep.kind == endpoint_kind::stdio) {
    co_return open_stdio();
  } else if (ep.kind == endpoint_kind::tcp) {
    auto connected = co_await connect_tcp(ep.host, ep.port, deadline);
    if (connected.error) co_return opened{nullptr, connected.error.message(), false};
    fd = connected.socket.release(error);
  } else {
    auto connected = co_await connect_unix(ep.path, deadline);
    if (connected.error) co_return opened{nullptr, connected.error.message(), false};
    fd = connected.socket.release(error);
  }
  if (error) co_return opened{nullptr, error.message(), false};
  // One descriptor type for every stream keeps the read and write paths single.
  asio::posix::stream_descriptor stream(executor_);
  stream.assign(fd, error);
  if (error) {
    ::close(fd);
    co_return opened{nullptr, error.message(), false};
  }
  co_return opened{
      std::make_shared<connection>(std::move(stream), std::nullopt, options_.max_reply_bytes),
      {},
      false};
}

stream_transport::opened stream_transport::open_stdio() {
  for (auto [fd, name] : {std::pair{options_.stdin_fd, "stdin"}, {options_.stdout_fd, "stdout"}}) {
    if (auto why = unusable_stdio_reason(fd); !why.empty()) {
      return {nullptr,
              std::string(name) + " is " + why +
                  ", not a pipe or socket: the stdio command channel needs a host process on "
                  "stdin and stdout (or set CF_CMD_ENDPOINT to tcp://, unix:// or http://)",
              true};
    }
  }
  // Duplicates, so closing the channel never closes the process's own stdin/stdout.
  std::optional<asio::posix::stream_descriptor> streams[2];
  const int fds[2] = {options_.stdin_fd, options_.stdout_fd};
  for (int i = 0; i < 2; ++i) {
    const int copy = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    std::error_code error;
    if (copy < 0) {
      error.assign(errno, std::generic_category());
    } else {
      streams[i].emplace(executor_);
      streams[i]->assign(copy, error);
      if (error) ::close(copy);
    }
    if (error) return {nullptr, "cannot use the stdio streams: " + error.message(), true};
  }
  return {std::make_shared<connection>(std::move(*streams[0]), std::move(streams[1]),
                                       options_.max_reply_bytes),
          {},
          false};
}

void stream_transport::start_writing() {
  if (writing_ || !conn_ || outbox_.empty()) return;
  writing_ = true;
  asio::co_spawn(executor_, write_loop(shared_from_this(), conn_), asio::detached);
}

task<void> stream_transport::write_loop(std::shared_ptr<stream_transport> self,
                                        std::shared_ptr<connection> conn) {
  (void)self;  // held so the transport outlives the loop
  std::string sending;
  while (conn == conn_ && !outbox_.empty()) {
    sending.clear();
    std::swap(sending, outbox_);  // calls keep appending to the other buffer meanwhile
    auto [error, written] =
        co_await asio::async_write(conn->output(), asio::buffer(sending), non_throwing);
    (void)written;
    if (error) {
      lose(conn, "write failed: " + error.message());
      break;
    }
  }
  writing_ = false;
  start_writing();  // a new connection may have queued requests while this one ended
}

task<void> stream_transport::read_loop(std::shared_ptr<stream_transport> self,
                                       std::shared_ptr<connection> conn) {
  (void)self;  // held so the transport outlives the loop
  for (;;) {
    auto [error, bytes] =
        co_await conn->input.async_read_some(conn->reader.prepare(), non_throwing);
    if (error) {
      lose(conn, error == asio::error::eof ? "the host closed the stream" : error.message());
      co_return;
    }
    conn->reader.commit(bytes);
    while (conn == conn_) {
      const auto event = conn->reader.next();
      if (event.what == line_reader::event::kind::none) break;
      if (event.what == line_reader::event::kind::line) {
        handle_line(event.text, event.readable);
      } else {
        handle_oversize(event.text);
      }
    }
    if (conn != conn_) co_return;
  }
}

void stream_transport::handle_line(std::string_view line, std::size_t readable) {
  if (trim(line).empty()) return;
  command_response response;
  std::string problem;
  if (!parser_.parse_response(line, response, problem, readable)) {
    if (response.id) {
      if (auto* call = calls_.take(*response.id)) {
        deliver(call, command_result::failure(command_errc::serialization,
                                              "invalid reply from " + name_ + ": " + problem));
        return;
      }
    }
    log::warn("command reply skipped: malformed line", {{"endpoint", name_},
                                                        {"error", problem},
                                                        {"bytes", line.size()},
                                                        {"start", head(line, 80)}});
    return;
  }
  auto* call = response.id ? calls_.take(*response.id) : calls_.take_oldest();
  if (call == nullptr) {
    log::debug("command reply dropped: its call is gone (late after a timeout, or unknown id)",
               {{"endpoint", name_}, {"id", response.id.value_or(0)}});
    return;
  }
  deliver(call, command_result::from_response(std::move(response)));
}

void stream_transport::handle_oversize(std::string_view prefix) {
  const auto id = leading_id(prefix);
  auto* call = id ? calls_.take(*id) : calls_.take_oldest();
  const auto why = "reply line longer than the limit of " +
                   std::to_string(options_.max_reply_bytes) +
                   " bytes (CF_CMD_MAX_REPLY_BYTES); skipped to the next line";
  log::warn("command reply skipped: line too long", {{"endpoint", name_},
                                                     {"limit", options_.max_reply_bytes},
                                                     {"matched_call", call != nullptr}});
  if (call != nullptr) deliver(call, command_result::failure(command_errc::serialization, why));
}

void stream_transport::deliver(pending_call* call, command_result result) {
  call->complete(std::move(result));
}

void stream_transport::lose(const std::shared_ptr<connection>& conn, const std::string& why) {
  if (!conn || conn != conn_) return;
  conn_.reset();
  conn->close();
  outbox_.clear();  // requests of the calls failed below must not reach a new connection
  auto calls = calls_.take_all();
  // Losing the channel is worth a warning; closing it on purpose with nothing pending is not.
  log::write(shut_ && calls.empty() ? log::level::debug : log::level::warn,
             "command channel closed",
             {{"endpoint", name_}, {"reason", why}, {"failed_calls", calls.size()}});
  for (auto* call : calls) {
    call->complete(command_result::failure(command_errc::transport_closed,
                                           "command channel " + name_ + " closed: " + why));
  }
  if (options_.endpoint.kind == endpoint_kind::stdio) {
    shut(command_errc::transport_closed, "the stdio command channel is closed: " + why);
  }
}

void stream_transport::shut(command_errc kind, std::string reason) {
  if (!shut_) shut_ = command_result::failure(kind, std::move(reason));
  for (auto* waiter : std::exchange(connect_waiters_, {})) waiter->complete(*shut_);
}

}  // namespace containerflare::detail
