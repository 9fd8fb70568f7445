// The tcp and unix transports against a real host on 127.0.0.1 / a Unix socket.

#include <doctest/doctest.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <string>

#include "calls.hpp"
#include "containerflare/command/client.hpp"
#include "containerflare/log.hpp"
#include "line_host.hpp"
#include "run.hpp"

namespace cf = containerflare;
namespace json = boost::json;
using cf::command_errc;
using cftest::line_host;
using namespace std::chrono_literals;

namespace {

cf::invoke_options within(std::chrono::milliseconds timeout) {
  return {timeout};
}

// Collects log lines while alive.
struct captured_log {
  captured_log() {
    cf::log::set_sink([this](std::string_view line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
    });
  }
  ~captured_log() { cf::log::set_sink(nullptr); }
  bool contains(std::string_view text) {
    std::lock_guard lock(mutex);
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  }
  std::mutex mutex;
  std::vector<std::string> lines;
};

// A host in manual mode, a client of it and a tracker for calls in flight, on one io_context.
struct manual_channel {
  explicit manual_channel(line_host::listen_on kind, std::size_t max_reply_bytes = 16 << 20)
      : host(io, kind), client(io, options(max_reply_bytes)), calls(io) {
    host.manual();
  }
  cf::command_options options(std::size_t max_reply_bytes) const {
    auto o = cftest::options_for(host.endpoint());
    o.max_reply_bytes = max_reply_bytes;
    return o;
  }
  asio::io_context io;
  line_host host;
  cf::command_client client;
  cftest::calls calls;
};

const line_host::listen_on both_kinds[] = {line_host::listen_on::tcp,
                                           line_host::listen_on::unix_socket};

}  // namespace

TEST_CASE("10,000 concurrent invokes answered in seeded random order all land with their caller") {
  for (auto kind : both_kinds) {
    manual_channel channel(kind);
    auto& [io, host, client, calls] = channel;
    constexpr int count = 10'000;
    cftest::run(io, [&]() -> cf::task<void> {
      for (int i = 0; i < count; ++i) {
        calls.start(client.try_invoke("math.square", json::object{{"n", i}}));
      }
      std::vector<cftest::received> requests;
      for (int i = 0; i < count; ++i) requests.push_back(co_await host.next());
      std::mt19937 random(20261204);
      std::shuffle(requests.begin(), requests.end(), random);
      for (const auto& r : requests) {
        const auto n = r.payload.at("n").as_int64();
        host.send(cftest::reply_line(r.id, json::object{{"n", n}, {"square", n * n}}));
      }
      co_await calls.wait_all();
    }());
    CHECK(host.accepted() == 1);  // one connection carried them all
    int correct = 0;
    for (int i = 0; i < count; ++i) {
      const auto& result = *calls.results[static_cast<std::size_t>(i)];
      if (result.ok() && result.payload.at("n") == i &&
          result.payload.at("square") == std::int64_t(i) * i) {
        ++correct;
      }
    }
    CHECK(correct == count);
  }
}

TEST_CASE("a host without ids is answered in FIFO order") {
  for (auto kind : both_kinds) {
    manual_channel channel(kind);
    auto& [io, host, client, calls] = channel;
    cftest::run(io, [&]() -> cf::task<void> {
      for (int i = 0; i < 50; ++i) calls.start(client.try_invoke("echo", i));
      for (int i = 0; i < 50; ++i) {
        auto request = co_await host.next();
        host.reply(request, request.payload.as_int64() * 10, /*with_id=*/false);
      }
      co_await calls.wait_all();
    }());
    for (int i = 0; i < 50; ++i) {
      REQUIRE(calls.results[static_cast<std::size_t>(i)]->ok());
      CHECK(calls.results[static_cast<std::size_t>(i)]->payload == i * 10);
    }
  }
}

TEST_CASE("a timed-out call's late reply is discarded and the next call gets its own reply") {
  for (bool host_sends_ids : {true, false}) {
    CAPTURE(host_sends_ids);
    manual_channel channel(line_host::listen_on::tcp);
    auto& [io, host, client, calls] = channel;
    cftest::run(io, [&]() -> cf::task<void> {
      const auto slow = calls.start(client.try_invoke("first", "N", within(30ms)));
      const auto next = calls.start(client.try_invoke("second", "N+1", within(10s)));
      auto first_request = co_await host.next();
      auto second_request = co_await host.next();
      co_await calls.wait(slow);
      CHECK(calls.results[slow]->kind() == command_errc::timeout);
      CHECK(calls.results[slow]->diagnostic.find("first") != std::string::npos);
      CHECK_FALSE(calls.results[next]);                         // N+1 is still waiting
      host.reply(first_request, "reply to N", host_sends_ids);  // late
      host.reply(second_request, "reply to N+1", host_sends_ids);
      co_await calls.wait(next);
      // A call made after the late reply is matched correctly as well.
      const auto third = calls.start(client.try_invoke("third", "N+2"));
      auto third_request = co_await host.next();
      host.reply(third_request, "reply to N+2", host_sends_ids);
      co_await calls.wait(third);
      CHECK(calls.results[third]->payload == "reply to N+2");
    }());
    REQUIRE(calls.results[1]->ok());
    CHECK(calls.results[1]->payload == "reply to N+1");
  }
}

TEST_CASE(
    "EOF fails every outstanding call, and the next invoke reconnects to the restarted host") {
  for (auto kind : both_kinds) {
    manual_channel channel(kind);
    auto& [io, host, client, calls] = channel;
    cftest::run(io, [&]() -> cf::task<void> {
      for (int i = 0; i < 3; ++i) calls.start(client.try_invoke("never.answered", i));
      for (int i = 0; i < 3; ++i) (void)co_await host.next();
      host.stop();  // dies mid-flight
      co_await calls.wait_all();
      for (auto& result : calls.results) {
        CHECK(result->kind() == command_errc::transport_closed);
        CHECK(result->diagnostic.find("closed") != std::string::npos);
      }
      // While the host is down, an invoke fails with an I/O error (connection refused).
      const auto refused = co_await client.try_invoke("ping");
      CHECK(refused.kind() == command_errc::io);
      host.start();  // back, at the same address
      host.echo();
      const auto back = co_await client.try_invoke("ping", 1);
      REQUIRE(back.ok());
      CHECK(back.payload.at("command") == "ping");
    }());
    CHECK(host.accepted() == 2);
  }
}

TEST_CASE("after a failed connect, invokes fail fast until the backoff has passed") {
  asio::io_context io;
  line_host host(io, line_host::listen_on::unix_socket);
  auto options = cftest::options_for(host.endpoint());
  options.reconnect_backoff = 1h;  // no retry within this test
  host.stop();
  cf::command_client client(io, options);
  cftest::run(io, [&]() -> cf::task<void> {
    const auto first = co_await client.try_invoke("ping");
    CHECK(first.kind() == command_errc::io);
    CHECK(first.diagnostic.find(host.endpoint()) != std::string::npos);
    host.start();
    const auto second = co_await client.try_invoke("ping");
    CHECK(second.kind() == command_errc::io);
    CHECK(second.diagnostic.find("next attempt in") != std::string::npos);
  }());
  CHECK(host.accepted() == 0);  // the backoff really kept the client from trying
}

TEST_CASE("connecting is lazy: nothing happens before the first invoke") {
  asio::io_context io;
  line_host host(io, line_host::listen_on::tcp);
  cf::command_client client(io, cftest::options_for(host.endpoint()));
  io.poll();
  CHECK(host.accepted() == 0);
  cftest::run(io, [&]() -> cf::task<void> {
    auto reply = co_await client.invoke("ping");
    CHECK(reply.at("command") == "ping");
  }());
  CHECK(host.accepted() == 1);
}

TEST_CASE("a host name resolves") {
  asio::io_context io;
  line_host host(io, line_host::listen_on::tcp);
  const auto port = host.endpoint().substr(host.endpoint().rfind(':') + 1);
  cf::command_client client(io, cftest::options_for("tcp://localhost:" + port));
  cftest::run(io, [&]() -> cf::task<void> {
    auto reply = co_await client.invoke("ping", 3);
    CHECK(reply.at("payload") == 3);
  }());
}

TEST_CASE("malformed lines are logged and skipped") {
  captured_log log;
  manual_channel channel(line_host::listen_on::tcp);
  auto& [io, host, client, calls] = channel;
  cftest::run(io, [&]() -> cf::task<void> {
    const auto call = calls.start(client.try_invoke("ping", 1));
    auto request = co_await host.next();
    host.send("this is not json\n");
    host.send("{\"ok\":\"not a bool\"}\n");
    host.send("\n   \n");                        // blank lines: nothing to match
    host.send("{\"id\":999999,\"ok\":true}\n");  // nobody waits for 999999
    host.reply(request, "fine");
    co_await calls.wait(call);
    REQUIRE(calls.results[call]->ok());
    CHECK(calls.results[call]->payload == "fine");
  }());
  CHECK(log.contains("malformed"));
}

TEST_CASE("a reply with its id but a bad shape fails that call at once") {
  manual_channel channel(line_host::listen_on::tcp);
  auto& [io, host, client, calls] = channel;
  cftest::run(io, [&]() -> cf::task<void> {
    const auto call = calls.start(client.try_invoke("ping"));
    auto request = co_await host.next();
    host.send("{\"id\":" + std::to_string(*request.id) + ",\"ok\":1}\n");
    co_await calls.wait(call);
    CHECK(calls.results[call]->kind() == command_errc::serialization);
    CHECK(calls.results[call]->diagnostic.find("boolean") != std::string::npos);
  }());
}

TEST_CASE("an oversize reply line fails its call and the stream resynchronises") {
  for (bool with_id : {true, false}) {
    CAPTURE(with_id);
    captured_log log;
    manual_channel channel(line_host::listen_on::unix_socket, 1024);
    auto& [io, host, client, calls] = channel;
    cftest::run(io, [&]() -> cf::task<void> {
      const auto big = calls.start(client.try_invoke("big"));
      const auto small = calls.start(client.try_invoke("small"));
      auto big_request = co_await host.next();
      auto small_request = co_await host.next();
      host.send(cftest::reply_line(with_id ? big_request.id : std::nullopt,
                                   json::value(std::string(200'000, 'x'))));
      host.reply(small_request, "small reply", with_id);
      co_await calls.wait(big);
      co_await calls.wait(small);
      host.echo();
      const auto after = co_await client.try_invoke("after");
      CHECK(after.ok());
    }());
    CHECK(calls.results[0]->kind() == command_errc::serialization);
    CHECK(calls.results[0]->diagnostic.find("CF_CMD_MAX_REPLY_BYTES") != std::string::npos);
    REQUIRE(calls.results[1]->ok());
    CHECK(calls.results[1]->payload == "small reply");
    CHECK(log.contains("too long"));
  }
}

TEST_CASE("command failures carry the diagnostic and payload; invoke throws, try_invoke does not") {
  asio::io_context io;
  line_host host(io, line_host::listen_on::tcp);
  host.respond_with([](const cftest::received& r) -> std::optional<std::string> {
    if (r.command == "fail.with.text") {
      return cftest::reply_line(r.id, json::object{{"code", 7}}, false, "no such key");
    }
    return cftest::reply_line(r.id, nullptr, false);  // no diagnostic
  });
  cf::command_client client(io, cftest::options_for(host.endpoint()));
  cftest::run(io, [&]() -> cf::task<void> {
    auto result = co_await client.try_invoke("fail.with.text");
    CHECK(result.kind() == command_errc::command_failure);
    CHECK(result.diagnostic == "no such key");
    CHECK(result.payload.at("code") == 7);

    result = co_await client.try_invoke("fail.silently");
    CHECK(result.diagnostic == "host returned failure");

    const auto error = co_await cftest::error_from(client.invoke("fail.with.text"));
    REQUIRE_MESSAGE(error, "invoke did not throw");
    CHECK(error->kind() == command_errc::command_failure);
    CHECK(error->http_status() == 502);
    CHECK(error->diagnostic() == "no such key");
  }());
}

TEST_CASE("close() fails outstanding calls and refuses new ones") {
  manual_channel channel(line_host::listen_on::tcp);
  auto& [io, host, client, calls] = channel;
  cftest::run(io, [&]() -> cf::task<void> {
    calls.start(client.try_invoke("pending"));
    (void)co_await host.next();
    client.close();
    co_await calls.wait_all();
    CHECK(calls.results[0]->kind() == command_errc::transport_closed);
    const auto later = co_await client.try_invoke("later");
    CHECK(later.kind() == command_errc::transport_closed);
  }());
  CHECK(host.requests() == 1);
}

TEST_CASE("disabled and unavailable endpoints fail every invoke with the reason") {
  asio::io_context io;
  for (const char* text : {"disabled", "unavailable"}) {
    cf::command_options options;
    options.endpoint = cf::command_endpoint::parse(text);
    cf::command_client client(io, options);
    CHECK_FALSE(client.available());
    cftest::run(io, [&]() -> cf::task<void> {
      const auto result = co_await client.try_invoke("kv.get");
      CHECK(result.kind() == command_errc::unavailable);
      CHECK(result.diagnostic == options.endpoint.reason);
      const auto error = co_await cftest::error_from(client.invoke("kv.get"));
      REQUIRE(error);
      CHECK(error->kind() == command_errc::unavailable);
    }());
  }
}
