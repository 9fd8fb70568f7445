#pragma once
// containerflare-basic as a child process on a free port, and one-shot requests to it.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "support/process.hpp"
#include "support/program_under_test.hpp"
#include "support/tcp_client.hpp"

namespace apptest {

using env_list = std::vector<std::pair<std::string, std::string>>;

struct app_process {
  std::uint16_t port = containerflare::test::pick_free_port();
  containerflare::test::child_process child;

  explicit app_process(env_list env)
      : child(containerflare::test::program_under_test(), options(port, std::move(env))) {
    REQUIRE(containerflare::test::wait_until_listening(port, std::chrono::seconds(10)));
  }

  // One request on a new connection; `extra_headers` are whole "Name: value\r\n" lines.
  containerflare::test::http_response request(const std::string& method, const std::string& path,
                                              const std::string& body = {},
                                              const std::string& extra_headers = {}) {
    containerflare::test::tcp_client c(port);
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: test\r\n" + extra_headers;
    if (!body.empty() || method == "PUT" || method == "POST") {
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
    c.send(req);
    return c.read_response(method == "HEAD");
  }

 private:
  static containerflare::test::spawn_options options(std::uint16_t port, env_list env) {
    env.emplace_back("PORT", std::to_string(port));
    env.emplace_back("CF_LOG", "warn");
    return {{}, std::move(env), {}};
  }
};

}  // namespace apptest
