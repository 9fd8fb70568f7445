#include "containerflare/command/endpoint.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

#include "containerflare/command/options.hpp"

namespace cf = containerflare;
using cf::endpoint_kind;

namespace {

struct expected_endpoint {
  const char* text;
  endpoint_kind kind;
  const char* host;
  std::uint16_t port;
  const char* path;
};

// Closes the descriptors a test opened.
struct fds {
  std::vector<int> list;
  ~fds() {
    for (int fd : list) ::close(fd);
  }
  int add(int fd) {
    REQUIRE(fd >= 0);
    list.push_back(fd);
    return fd;
  }
};

}  // namespace

TEST_CASE("every endpoint form parses") {
  const expected_endpoint table[] = {
      {"stdio", endpoint_kind::stdio, "", 0, ""},
      {"STDIO", endpoint_kind::stdio, "", 0, ""},
      {"  StdIo \n", endpoint_kind::stdio, "", 0, ""},
      {"disabled", endpoint_kind::disabled, "", 0, ""},
      {"DISABLED", endpoint_kind::disabled, "", 0, ""},
      {"\tdisabled ", endpoint_kind::disabled, "", 0, ""},
      {"unavailable", endpoint_kind::unavailable, "", 0, ""},
      {"UnAvailable", endpoint_kind::unavailable, "", 0, ""},
      {"tcp://127.0.0.1:9000", endpoint_kind::tcp, "127.0.0.1", 9000, ""},
      {"TCP://localhost:1", endpoint_kind::tcp, "localhost", 1, ""},
      {" tcp://command-host.internal:65535 ", endpoint_kind::tcp, "command-host.internal", 65535,
       ""},
      {"tcp://[::1]:7000", endpoint_kind::tcp, "::1", 7000, ""},
      {"unix:///run/cf/cmd.sock", endpoint_kind::unix_socket, "", 0, "/run/cf/cmd.sock"},
      {"UNIX:///tmp/a", endpoint_kind::unix_socket, "", 0, "/tmp/a"},
      {"http://containerflare.internal", endpoint_kind::http, "containerflare.internal", 80, "/"},
      {"http://containerflare.internal/", endpoint_kind::http, "containerflare.internal", 80, "/"},
      {"HTTP://host:8080/cmd/v1", endpoint_kind::http, "host", 8080, "/cmd/v1"},
      {"http://127.0.0.1:9/x?y=1", endpoint_kind::http, "127.0.0.1", 9, "/x?y=1"},
      {"http://h?q", endpoint_kind::http, "h", 80, "/?q"},
      {"http://[::1]:81/p", endpoint_kind::http, "::1", 81, "/p"},
  };
  for (const auto& row : table) {
    CAPTURE(row.text);
    const auto ep = cf::command_endpoint::parse(row.text);
    CHECK(ep.kind == row.kind);
    CHECK(ep.host == row.host);
    CHECK(ep.port == row.port);
    CHECK(ep.path == row.path);
    CHECK(ep.available() ==
          (row.kind != endpoint_kind::disabled && row.kind != endpoint_kind::unavailable));
    if (!ep.available()) CHECK_FALSE(ep.reason.empty());
    // The canonical text parses back to the same endpoint.
    CHECK(cf::command_endpoint::parse(ep.to_string()) == ep);
    CHECK(cf::command_endpoint::try_parse(row.text) == ep);
  }
  CHECK(cf::command_endpoint::parse("tcp://[::1]:7000").to_string() == "tcp://[::1]:7000");
  CHECK(cf::command_endpoint::parse("http://h:80/x").to_string() == "http://h/x");
}

TEST_CASE("garbage endpoints are errors naming the variable and the value") {
  const char* garbage[] = {
      "",
      "   ",
      "stdin",
      "stdio2",
      "tcp://",
      "tcp://host",
      "tcp://host:",
      "tcp://host:0",
      "tcp://host:65536",
      "tcp://host:12ab",
      "tcp://:9000",
      "tcp://ho st:9000",
      "tcp://[::1:9000",
      "unix://relative/path",
      "unix://",
      "https://containerflare.internal/",
      "http://user:pw@host/",
      "http://",
      "http://host:99999/",
      "http://host/a b",
      "ftp://host:21",
      "127.0.0.1:9000",
  };
  for (const char* text : garbage) {
    CAPTURE(text);
    std::string problem;
    CHECK_FALSE(cf::command_endpoint::try_parse(text, &problem));
    CHECK_FALSE(problem.empty());
    try {
      (void)cf::command_endpoint::parse(text);
      FAIL("no error for a garbage endpoint");
    } catch (const cf::config_error& e) {
      CHECK(e.variable == "CF_CMD_ENDPOINT");
      CHECK(std::string(e.what()).find("CF_CMD_ENDPOINT") != std::string::npos);
      CHECK(std::string(e.what()).find("\"" + std::string(text) + "\"") != std::string::npos);
    }
  }
  const std::string long_path = "unix:///" + std::string(200, 'a');
  CHECK_THROWS_AS((void)cf::command_endpoint::parse(long_path), cf::config_error);
}

TEST_CASE("the default endpoint depends on what stdin is") {
  fds open;
  const auto no_env = cf::map_env({});

  SUBCASE("/dev/null: unavailable, and the reason says to set CF_CMD_ENDPOINT") {
    const int fd = open.add(::open("/dev/null", O_RDONLY));
    CHECK_FALSE(cf::is_pipe_or_socket(fd));
    const auto ep = cf::command_endpoint::from_environment(no_env, fd);
    CHECK(ep.kind == endpoint_kind::unavailable);
    CHECK(ep.reason.find("CF_CMD_ENDPOINT") != std::string::npos);
  }
  SUBCASE("a regular file: unavailable") {
    FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    const int fd = open.add(::dup(::fileno(file)));
    std::fclose(file);
    CHECK(cf::command_endpoint::from_environment(no_env, fd).kind == endpoint_kind::unavailable);
  }
  SUBCASE("a pipe: stdio") {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    open.add(pipe_fds[0]);
    open.add(pipe_fds[1]);
    CHECK(cf::is_pipe_or_socket(pipe_fds[0]));
    CHECK(cf::command_endpoint::from_environment(no_env, pipe_fds[0]).kind == endpoint_kind::stdio);
  }
  SUBCASE("a socketpair (no tty): stdio") {
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
    open.add(pair[0]);
    open.add(pair[1]);
    CHECK(cf::command_endpoint::from_environment(no_env, pair[0]).kind == endpoint_kind::stdio);
  }
  SUBCASE("a closed descriptor: unavailable") {
    const int fd = ::open("/dev/null", O_RDONLY);
    ::close(fd);
    CHECK(cf::command_endpoint::from_environment(no_env, fd).kind == endpoint_kind::unavailable);
  }
  SUBCASE("Cloud Run: disabled even with a pipe on stdin") {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    open.add(pipe_fds[0]);
    open.add(pipe_fds[1]);
    const auto ep =
        cf::command_endpoint::from_environment(cf::map_env({{"K_SERVICE", "svc"}}), pipe_fds[0]);
    CHECK(ep.kind == endpoint_kind::disabled);
    CHECK_FALSE(ep.reason.empty());
  }
  SUBCASE("CF_CMD_ENDPOINT wins, blank counts as unset, garbage is an error") {
    const int fd = open.add(::open("/dev/null", O_RDONLY));
    CHECK(cf::command_endpoint::from_environment(
              cf::map_env({{"CF_CMD_ENDPOINT", "tcp://h:1"}, {"K_SERVICE", "svc"}}), fd)
              .kind == endpoint_kind::tcp);
    CHECK(
        cf::command_endpoint::from_environment(cf::map_env({{"CF_CMD_ENDPOINT", "  "}}), fd).kind ==
        endpoint_kind::unavailable);
    CHECK_THROWS_AS(
        cf::command_endpoint::from_environment(cf::map_env({{"CF_CMD_ENDPOINT", "bogus"}}), fd),
        cf::config_error);
  }
}

TEST_CASE("command options read the timeout, the reply limit and the proxy") {
  const int devnull = ::open("/dev/null", O_RDONLY);
  REQUIRE(devnull >= 0);
  const auto defaults = cf::command_options::from_environment(cf::map_env({}), devnull);
  CHECK(defaults.timeout == std::chrono::milliseconds(30'000));
  CHECK(defaults.max_reply_bytes == 16u * 1024 * 1024);
  CHECK_FALSE(defaults.proxy.proxy);
  CHECK(defaults.stdin_fd == devnull);

  const auto set =
      cf::command_options::from_environment(cf::map_env({{"CF_CMD_ENDPOINT", "unix:///x"},
                                                         {"CF_CMD_TIMEOUT_MS", " 250 "},
                                                         {"CF_CMD_MAX_REPLY_BYTES", "4096"},
                                                         {"http_proxy", "http://proxy:3128"},
                                                         {"NO_PROXY", "localhost"}}),
                                            devnull);
  CHECK(set.endpoint.kind == endpoint_kind::unix_socket);
  CHECK(set.timeout == std::chrono::milliseconds(250));
  CHECK(set.max_reply_bytes == 4096);
  REQUIRE(set.proxy.proxy);
  CHECK(set.proxy.proxy->host == "proxy");
  CHECK(set.proxy.proxy->port == 3128);
  CHECK(set.proxy.no_proxy == "localhost");

  for (const char* variable : {"CF_CMD_TIMEOUT_MS", "CF_CMD_MAX_REPLY_BYTES"}) {
    for (const char* bad : {"", "0", "-5", "1.5", "ten", "99999999999999999999"}) {
      CAPTURE(variable);
      CAPTURE(bad);
      try {
        (void)cf::command_options::from_environment(cf::map_env({{variable, bad}}), devnull);
        FAIL("no error for an invalid value");
      } catch (const cf::config_error& e) {
        CHECK(e.variable == variable);
      }
    }
  }
  ::close(devnull);
}
