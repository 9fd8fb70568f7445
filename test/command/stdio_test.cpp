// The stdio transport over real pipes and socketpairs, and stdio on descriptors that cannot
// carry it (/dev/null, a regular file).

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <random>

#include "calls.hpp"
#include "containerflare/command/client.hpp"
#include "line_host.hpp"
#include "run.hpp"

namespace cf = containerflare;
namespace json = boost::json;
using cf::command_errc;
using namespace std::chrono_literals;

namespace {

cf::command_options stdio_options(int in_fd, int out_fd) {
  cf::command_options options;
  options.endpoint = cf::command_endpoint::parse("stdio");
  options.stdin_fd = in_fd;
  options.stdout_fd = out_fd;
  options.timeout = 10s;
  return options;
}

struct pipe_pair {
  pipe_pair() { REQUIRE(::pipe2(fds, O_CLOEXEC) == 0); }
  ~pipe_pair() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  int release(int i) { return std::exchange(fds[i], -1); }
  int fds[2];
};

// Everything that can be read from `fd` right now, without waiting.
std::string drain(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  std::string out;
  char buffer[4096];
  for (;;) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::fcntl(fd, F_SETFL, flags);
  return out;
}

}  // namespace

TEST_CASE("stdio over a pipe pair: 1,000 concurrent invokes answered out of order") {
  pipe_pair requests, replies;  // client writes requests, reads replies
  asio::io_context io;
  cftest::line_host host(io, requests.release(0), replies.release(1));
  host.manual();
  cf::command_client client(io, stdio_options(replies.fds[0], requests.fds[1]));
  cftest::calls calls(io);
  constexpr int count = 1000;
  cftest::run(io, [&]() -> cf::task<void> {
    for (int i = 0; i < count; ++i) calls.start(client.try_invoke("double", i));
    std::vector<cftest::received> received;
    for (int i = 0; i < count; ++i) received.push_back(co_await host.next());
    std::mt19937 random(7);
    std::shuffle(received.begin(), received.end(), random);
    for (const auto& r : received) host.reply(r, r.payload.as_int64() * 2);
    co_await calls.wait_all();
  }());
  for (int i = 0; i < count; ++i) {
    REQUIRE(calls.results[static_cast<std::size_t>(i)]->ok());
    CHECK(calls.results[static_cast<std::size_t>(i)]->payload == 2 * i);
  }
}

TEST_CASE("stdio over a socketpair (stdin and stdout on one socket)") {
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
  asio::io_context io;
  cftest::line_host host(io, pair[1], ::dup(pair[1]));
  cf::command_client client(io, stdio_options(pair[0], pair[0]));
  cftest::run(io, [&]() -> cf::task<void> {
    auto reply = co_await client.invoke("ping", "over a socket");
    CHECK(reply.at("payload") == "over a socket");
  }());
  ::close(pair[0]);
}

TEST_CASE("EOF on stdin fails outstanding calls, and later invokes fail without writing") {
  pipe_pair requests, replies;
  ::close(replies.release(1));  // no host will ever answer: stdin is at EOF
  asio::io_context io;
  cf::command_client client(io, stdio_options(replies.fds[0], requests.fds[1]));
  cftest::run(io, [&]() -> cf::task<void> {
    const auto first = co_await client.try_invoke("ping");
    CHECK(first.kind() == command_errc::transport_closed);
    (void)drain(requests.fds[0]);  // the first request may have gone out before EOF was seen
    const auto second = co_await client.try_invoke("ping");
    CHECK(second.kind() == command_errc::transport_closed);
    CHECK(second.diagnostic.find("stdio") != std::string::npos);
  }());
  CHECK(drain(requests.fds[0]).empty());
}

TEST_CASE("explicit stdio with stdin on /dev/null or a regular file neither blocks nor writes") {
  FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  std::fputs("{\"id\":1,\"ok\":true}\n", file);  // replies a file could hold are never read
  std::rewind(file);
  const int regular = ::dup(::fileno(file));
  std::fclose(file);
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  for (int stdin_fd : {devnull, regular}) {
    CAPTURE(stdin_fd);
    pipe_pair requests;
    asio::io_context io;
    {
      cf::command_client client(io, stdio_options(stdin_fd, requests.fds[1]));
      cftest::run(io, [&]() -> cf::task<void> {
        for (int i = 0; i < 2; ++i) {
          const auto result = co_await client.try_invoke("ping");
          CHECK(result.kind() == command_errc::unavailable);
          CHECK(result.diagnostic.find("stdin") != std::string::npos);
          CHECK(result.diagnostic.find("CF_CMD_ENDPOINT") != std::string::npos);
        }
      }());
      CHECK(drain(requests.fds[0]).empty());  // no command JSON anywhere
      // Nothing is left running (no read pending, no loop spinning on EOF): with the client
      // still alive, run() finds at most a few leftover completions and returns.
      io.restart();
      CHECK(io.run() < 10);
    }
  }
  ::close(devnull);
  ::close(regular);
}

TEST_CASE("stdio with stdout on a regular file is unavailable too") {
  FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  pipe_pair replies;
  asio::io_context io;
  cf::command_client client(io, stdio_options(replies.fds[0], ::fileno(file)));
  cftest::run(io, [&]() -> cf::task<void> {
    const auto result = co_await client.try_invoke("ping");
    CHECK(result.kind() == command_errc::unavailable);
    CHECK(result.diagnostic.find("stdout") != std::string::npos);
  }());
  CHECK(std::ftell(file) == 0);
  std::fseek(file, 0, SEEK_END);
  CHECK(std::ftell(file) == 0);
  std::fclose(file);
}

TEST_CASE("closing the client leaves the process's own descriptors open") {
  pipe_pair requests, replies;
  asio::io_context io;
  {
    cftest::line_host host(io, requests.release(0), replies.release(1));
    cf::command_client client(io, stdio_options(replies.fds[0], requests.fds[1]));
    cftest::run(io, [&]() -> cf::task<void> { (void)co_await client.invoke("ping"); }());
  }
  CHECK(::fcntl(replies.fds[0], F_GETFD) != -1);
  CHECK(::fcntl(requests.fds[1], F_GETFD) != -1);
}
