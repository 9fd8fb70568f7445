// The example program's command routes from outside: containerflare-basic is started with
// CF_CMD_ENDPOINT pointing at a command host in this process (or disabled), and every route is
// checked over a raw socket, including the 502 / 503 / 504 mapping of command errors.
#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <thread>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <boost/json.hpp>

#include "app/app_process.hpp"
#include "command/line_host.hpp"

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// What the host saw, to check that the app sent the right commands and payloads.
struct host_log {
  std::mutex mutex;
  std::vector<std::pair<std::string, json::value>> calls;
  std::map<std::string, std::string> kv;
};

// A command host answering the vocabulary from a little in-memory state; "fail" keys are
// refused (ok:false) and "slow" keys never answered.
std::optional<std::string> answer(host_log& log, const cftest::received& r) {
  std::lock_guard lock(log.mutex);
  log.calls.emplace_back(r.command, r.payload);
  const json::object* p = r.payload.if_object();
  const auto key = [&]() -> std::string {
    if (p == nullptr) return {};
    if (auto* k = p->if_contains("key"); k && k->is_string()) return std::string(k->get_string());
    return {};
  }();
  if (key == "slow") return std::nullopt;
  if (key == "fail") return cftest::reply_line(r.id, nullptr, false, "refused by the test host");
  if (r.command == "kv.get") {
    auto it = log.kv.find(key);
    return cftest::reply_line(r.id,
                              it == log.kv.end() ? json::value(nullptr) : json::value(it->second));
  }
  if (r.command == "kv.put") {
    log.kv[key] = std::string(p->at("value").as_string());
    return cftest::reply_line(r.id, nullptr);
  }
  if (r.command == "kv.delete") {
    log.kv.erase(key);
    return cftest::reply_line(r.id, nullptr);
  }
  if (r.command == "d1.exec") return cftest::reply_line(r.id, {{"count", 1}, {"duration", 0.1}});
  if (r.command == "d1.query") {
    const auto sql = std::string(p->at("sql").as_string());
    json::object meta{{"changes", 0}, {"last_row_id", 0}, {"duration", 0.1}};
    json::array rows;
    if (sql.starts_with("INSERT")) {
      meta["changes"] = 1;
      meta["last_row_id"] = 7;
    } else {
      rows.push_back(json::object{{"id", 7}, {"body", "hello"}, {"created_at", "now"}});
    }
    return cftest::reply_line(r.id, {{"results", rows}, {"meta", meta}});
  }
  if (r.command == "r2.put") {
    return cftest::reply_line(r.id, {{"key", key},
                                     {"size", 5},
                                     {"etag", "e1"},
                                     {"http_metadata", json::object{}},
                                     {"custom_metadata", json::object{}}});
  }
  if (r.command == "r2.get") {
    if (key != "docs/a.txt") return cftest::reply_line(r.id, nullptr);
    return cftest::reply_line(r.id, {{"key", key},
                                     {"size", 5},
                                     {"etag", "e1"},
                                     {"http_metadata", json::object{{"contentType", "text/plain"}}},
                                     {"custom_metadata", json::object{}},
                                     {"body_base64", "aGVsbG8="}});
  }
  if (r.command == "queue.send") return cftest::reply_line(r.id, nullptr);
  return cftest::reply_line(r.id, nullptr, false, "unknown command " + r.command);
}

// The host runs on its own io_context thread for the duration of a test.
struct host_fixture {
  asio::io_context io;
  cftest::line_host host{io, cftest::line_host::listen_on::tcp};
  host_log log;
  std::thread thread;

  host_fixture() {
    host.respond_with([this](const cftest::received& r) { return answer(log, r); });
    host.start();
    thread = std::thread([this] {
      auto guard = asio::make_work_guard(io);
      io.run();
    });
  }
  ~host_fixture() {
    io.stop();
    thread.join();
  }
  std::vector<std::pair<std::string, json::value>> calls() {
    std::lock_guard lock(log.mutex);
    return log.calls;
  }
};

struct app_process : apptest::app_process {
  explicit app_process(const std::string& endpoint)
      : apptest::app_process({{"CF_CMD_ENDPOINT", endpoint}, {"CF_CMD_TIMEOUT_MS", "300"}}) {}
  app_process(const std::string& endpoint, const std::string& workers)
      : apptest::app_process({{"CF_CMD_ENDPOINT", endpoint},
                              {"CF_CMD_TIMEOUT_MS", "2000"},
                              {"CF_WORKERS", workers}}) {}
};

json::value body_json(const containerflare::test::http_response& r) {
  return json::parse(r.body);
}

}  // namespace

TEST_CASE("KV routes reach the host with the right commands") {
  host_fixture host;
  app_process app(host.host.endpoint());

  CHECK(app.request("GET", "/kv/visits").status == 404);
  CHECK(app.request("PUT", "/kv/visits", "41").status == 204);
  const auto got = app.request("GET", "/kv/visits");
  CHECK(got.status == 200);
  CHECK(got.body == "41");
  CHECK(app.request("DELETE", "/kv/visits").status == 204);
  CHECK(app.request("GET", "/kv/visits").status == 404);

  const auto calls = host.calls();
  REQUIRE(calls.size() == 5);
  CHECK(calls[0].first == "kv.get");
  CHECK(calls[1].first == "kv.put");
  CHECK(calls[1].second.at("key") == "visits");
  CHECK(calls[1].second.at("value") == "41");
  CHECK(calls[3].first == "kv.delete");

  SUBCASE("a ttl is passed on, a bad one is refused before any command") {
    CHECK(app.request("PUT", "/kv/t?ttl=120", "x").status == 204);
    CHECK(host.calls().back().second.at("expiration_ttl") == 120);
    const auto before = host.calls().size();
    CHECK(app.request("PUT", "/kv/t?ttl=soon", "x").status == 400);
    CHECK(host.calls().size() == before);
  }
}

TEST_CASE("D1 notes: the table is created once, values are bound parameters") {
  host_fixture host;
  app_process app(host.host.endpoint());

  const auto created = app.request("POST", "/notes", "hello");
  CHECK(created.status == 201);
  CHECK(body_json(created) == json::parse(R"({"id":7})"));
  const auto listed = app.request("GET", "/notes");
  CHECK(listed.status == 200);
  CHECK(body_json(listed) == json::parse(R"([{"id":7,"body":"hello","created_at":"now"}])"));

  const auto calls = host.calls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].first == "d1.exec");
  CHECK(calls[1].first == "d1.query");
  CHECK(calls[1].second.at("params") == json::array{"hello"});
  CHECK(std::string(calls[1].second.at("sql").as_string()).find("hello") == std::string::npos);
  CHECK(calls[2].first == "d1.query");
  CHECK(app.request("POST", "/notes", "").status == 400);
}

TEST_CASE("R2 files: bodies travel base64 on the wire and come back as bytes") {
  host_fixture host;
  app_process app(host.host.endpoint());

  const auto put = app.request("PUT", "/files/docs/a.txt", "hello", "Content-Type: text/plain\r\n");
  CHECK(put.status == 201);
  const auto calls = host.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].first == "r2.put");
  CHECK(calls[0].second.at("key") == "docs/a.txt");
  CHECK(calls[0].second.at("body_base64") == "aGVsbG8=");

  const auto got = app.request("GET", "/files/docs/a.txt");
  CHECK(got.status == 200);
  CHECK(got.body == "hello");
  CHECK(got.header("content-type") == "text/plain");
  CHECK(app.request("GET", "/files/docs/missing").status == 404);
}

TEST_CASE("events go to the queue as JSON or text") {
  host_fixture host;
  app_process app(host.host.endpoint());
  CHECK(app.request("POST", "/events", R"({"n":1})", "Content-Type: application/json\r\n").status ==
        202);
  CHECK(app.request("POST", "/events", "plain").status == 202);
  CHECK(app.request("POST", "/events", "{bad", "Content-Type: application/json\r\n").status == 400);
  const auto calls = host.calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].second.at("body") == json::parse(R"({"n":1})"));
  CHECK(calls[1].second.at("body") == "plain");
}

TEST_CASE("command errors map to 502, 504 and (without a host) 503") {
  host_fixture host;
  app_process app(host.host.endpoint());

  const auto refused = app.request("GET", "/kv/fail");
  CHECK(refused.status == 502);
  CHECK(body_json(refused).at("kind") == "command_failure");
  CHECK(body_json(refused).at("error") == "refused by the test host");

  const auto slow = app.request("GET", "/kv/slow");
  CHECK(slow.status == 504);
  CHECK(body_json(slow).at("kind") == "timeout");

  // The channel is still in step after the timeout: the next call gets its own answer.
  CHECK(app.request("PUT", "/kv/after", "1").status == 204);
  CHECK(app.request("GET", "/kv/after").body == "1");
}

TEST_CASE("with CF_CMD_ENDPOINT=disabled the app starts and command routes answer 503") {
  app_process app("disabled");
  CHECK(app.request("GET", "/healthz").status == 200);
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/kv/x"}, {"POST", "/notes"}, {"GET", "/files/a"}, {"POST", "/events"}}) {
    CAPTURE(path);
    const auto r = app.request(method, path, method == "POST" ? "x" : "");
    CHECK(r.status == 503);
    CHECK(body_json(r).at("kind") == "unavailable");
  }
  app.child.send_signal(SIGTERM);
  const auto status = app.child.wait_for_exit(10s);
  REQUIRE(status);
  CHECK(status->exited);
  CHECK(status->code == 0);
}

TEST_CASE("with two event loops every command still lands with its caller") {
  host_fixture host;
  app_process app(host.host.endpoint(), "2");
  // New connections are spread over both loops' SO_REUSEPORT listeners by the kernel; the
  // channel lives on the first loop, so calls from the second hop there and back.
  for (int i = 0; i < 40; ++i) {
    const std::string key = "k" + std::to_string(i);
    REQUIRE(app.request("PUT", "/kv/" + key, "v" + std::to_string(i)).status == 204);
  }
  for (int i = 0; i < 40; ++i) {
    const auto got = app.request("GET", "/kv/k" + std::to_string(i));
    CHECK(got.status == 200);
    CHECK(got.body == "v" + std::to_string(i));
  }
  app.child.send_signal(SIGTERM);
  const auto status = app.child.wait_for_exit(10s);
  REQUIRE(status);
  CHECK(status->code == 0);
}
