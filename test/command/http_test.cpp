// The http:// transport against a local HTTP server (and a local fake proxy).

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include "calls.hpp"
#include "containerflare/command/client.hpp"
#include "http_host.hpp"
#include "run.hpp"

namespace cf = containerflare;
namespace json = boost::json;
using cf::command_errc;
using cftest::http_answer;
using cftest::http_host;
using cftest::http_seen;
using namespace std::chrono_literals;

TEST_CASE("200: the body is the reply; the request is a POST of the request line") {
  asio::io_context io;
  http_host host(io);
  cf::command_client client(io, cftest::options_for(host.url("/cmd")));
  cftest::run(io, [&]() -> cf::task<void> {
    json::value payload = {{"key", "a"}};
    auto reply = co_await client.invoke("kv.get", std::move(payload));
    CHECK(reply.at("command") == "kv.get");
    CHECK(reply.at("payload").at("key") == "a");
  }());
  REQUIRE(host.requests.size() == 1);
  const auto& seen = host.requests[0];
  CHECK(seen.method == "POST");
  CHECK(seen.target == "/cmd");
  CHECK(seen.headers.at("host") == "127.0.0.1:" + std::to_string(host.port()));
  CHECK(seen.headers.at("content-type") == "application/json");
  const auto body = json::parse(seen.body).as_object();
  CHECK(body.at("command") == "kv.get");
  CHECK(body.contains("id"));
}

TEST_CASE("keep-alive: sequential invokes reuse one connection; the pool bounds concurrency") {
  asio::io_context io;
  http_host host(io);
  auto options = cftest::options_for(host.url());
  options.http_max_connections = 2;
  cf::command_client client(io, options);
  cftest::calls calls(io);
  cftest::run(io, [&]() -> cf::task<void> {
    for (int i = 0; i < 5; ++i) (void)co_await client.invoke("seq", i);
    CHECK(host.accepted == 1);
    for (int i = 0; i < 20; ++i) calls.start(client.try_invoke("par", i));
    co_await calls.wait_all();
  }());
  CHECK(host.accepted == 2);
  CHECK(host.requests.size() == 25);
  for (int i = 0; i < 20; ++i) {
    REQUIRE(calls.results[static_cast<std::size_t>(i)]->ok());
    CHECK(calls.results[static_cast<std::size_t>(i)]->payload.at("payload") == i);
  }
}

TEST_CASE("non-200 statuses fail the call naming the status; 520 means unavailable") {
  asio::io_context io;
  http_host host(io);
  host.responder = [](const http_seen& seen) {
    if (seen.body.find("missing") != std::string::npos) return http_answer{404, "no route"};
    if (seen.body.find("denied") != std::string::npos) return http_answer{520, ""};
    return http_answer{500, "{\"error\":\"boom\"}"};
  };
  cf::command_client client(io, cftest::options_for(host.url()));
  cftest::run(io, [&]() -> cf::task<void> {
    auto result = co_await client.try_invoke("missing");
    CHECK(result.kind() == command_errc::io);
    CHECK(result.diagnostic.find("404") != std::string::npos);
    CHECK(result.diagnostic.find("no route") != std::string::npos);

    result = co_await client.try_invoke("denied");
    CHECK(result.kind() == command_errc::unavailable);
    CHECK(result.diagnostic.find("520") != std::string::npos);

    result = co_await client.try_invoke("other");
    CHECK(result.kind() == command_errc::io);
    CHECK(result.diagnostic.find("500") != std::string::npos);
  }());
  CHECK(host.accepted == 1);  // error statuses keep the connection
}

TEST_CASE("200 with ok:false, with an invalid body, with a chunked body") {
  asio::io_context io;
  http_host host(io);
  host.responder = [](const http_seen& seen) {
    if (seen.body.find("refuse") != std::string::npos) {
      return http_answer{200, "{\"ok\":false,\"diagnostic\":\"unknown command refuse\"}"};
    }
    if (seen.body.find("garble") != std::string::npos) return http_answer{200, "<html>"};
    auto answer = cftest::http_echo(seen);
    answer.chunked = true;
    return answer;
  };
  cf::command_client client(io, cftest::options_for(host.url()));
  cftest::run(io, [&]() -> cf::task<void> {
    auto result = co_await client.try_invoke("refuse");
    CHECK(result.kind() == command_errc::command_failure);
    CHECK(result.diagnostic == "unknown command refuse");
    result = co_await client.try_invoke("garble");
    CHECK(result.kind() == command_errc::serialization);
    result = co_await client.try_invoke("chunks", "in two pieces");
    REQUIRE(result.ok());
    CHECK(result.payload.at("payload") == "in two pieces");
  }());
}

TEST_CASE("Connection: close, and a keep-alive connection the server dropped while idle") {
  asio::io_context io;
  http_host host(io);
  int answered = 0;
  host.responder = [&answered](const http_seen& seen) {
    auto answer = cftest::http_echo(seen);
    ++answered;
    if (answered == 1) answer.close = true;           // says so
    if (answered == 2) answer.close_silently = true;  // does not
    return answer;
  };
  cf::command_client client(io, cftest::options_for(host.url()));
  cftest::run(io, [&]() -> cf::task<void> {
    for (int i = 0; i < 3; ++i) {
      const auto result = co_await client.try_invoke("ping", i);
      REQUIRE_MESSAGE(result.ok(), result.diagnostic);
      CHECK(result.payload.at("payload") == i);
    }
  }());
  CHECK(answered == 3);  // the retried request was not answered twice
  CHECK(host.accepted == 3);
}

TEST_CASE("an HTTP timeout fails only that call; the next one uses a fresh connection") {
  asio::io_context io;
  http_host host(io);
  host.responder = [](const http_seen& seen) {
    auto answer = cftest::http_echo(seen);
    answer.hold = seen.body.find("slow") != std::string::npos;
    return answer;
  };
  cf::command_client client(io, cftest::options_for(host.url()));
  cftest::run(io, [&]() -> cf::task<void> {
    const auto slow = co_await client.try_invoke("slow", nullptr, {30ms});
    CHECK(slow.kind() == command_errc::timeout);
    const auto fast = co_await client.try_invoke("fast");
    CHECK(fast.ok());
  }());
  CHECK(host.accepted == 2);
}

TEST_CASE("a reply body over the limit fails with a clear error") {
  asio::io_context io;
  http_host host(io);
  host.responder = [](const http_seen&) {
    return http_answer{200, "{\"ok\":true,\"payload\":\"" + std::string(5000, 'x') + "\"}"};
  };
  auto options = cftest::options_for(host.url());
  options.max_reply_bytes = 1000;
  cf::command_client client(io, options);
  cftest::run(io, [&]() -> cf::task<void> {
    const auto result = co_await client.try_invoke("big");
    CHECK(result.kind() == command_errc::serialization);
    CHECK(result.diagnostic.find("CF_CMD_MAX_REPLY_BYTES") != std::string::npos);
  }());
}

TEST_CASE("through http_proxy: absolute-form request line to the proxy, no_proxy bypasses it") {
  asio::io_context io;
  http_host proxy(io);
  http_host origin(io);
  SUBCASE("proxied") {
    auto options = cf::command_options::from_environment(
        cf::map_env({{"CF_CMD_ENDPOINT", "http://containerflare.internal/cmd"},
                     {"http_proxy", "http://user:secret@127.0.0.1:" + std::to_string(proxy.port())},
                     {"no_proxy", "localhost,127.0.0.1"}}));
    cf::command_client client(io, options);
    cftest::run(io, [&]() -> cf::task<void> {
      // containerflare.internal does not resolve here: only the proxy can reach it.
      auto reply = co_await client.invoke("ping", 1);
      CHECK(reply.at("payload") == 1);
    }());
    REQUIRE(proxy.requests.size() == 1);
    CHECK(proxy.requests[0].target == "http://containerflare.internal/cmd");
    CHECK(proxy.requests[0].headers.at("host") == "containerflare.internal");
    CHECK(proxy.requests[0].headers.at("proxy-authorization") == "Basic dXNlcjpzZWNyZXQ=");
  }
  SUBCASE("no_proxy") {
    auto options = cf::command_options::from_environment(
        cf::map_env({{"CF_CMD_ENDPOINT", origin.url("/cmd")},
                     {"http_proxy", "http://127.0.0.1:" + std::to_string(proxy.port())},
                     {"no_proxy", "example.com, 127.0.0.1"}}));
    cf::command_client client(io, options);
    cftest::run(io, [&]() -> cf::task<void> { (void)co_await client.invoke("ping"); }());
    CHECK(proxy.requests.empty());
    REQUIRE(origin.requests.size() == 1);
    CHECK(origin.requests[0].target == "/cmd");
  }
}

TEST_CASE("an unreachable HTTP host is an I/O error naming it") {
  asio::io_context io;
  std::string url;
  {
    http_host gone(io);
    url = gone.url();
  }  // closed: nothing listens there now
  cf::command_client client(io, cftest::options_for(url));
  cftest::run(io, [&]() -> cf::task<void> {
    const auto result = co_await client.try_invoke("ping");
    CHECK(result.kind() == command_errc::io);
    CHECK(result.diagnostic.find("cannot connect") != std::string::npos);
  }());
}
