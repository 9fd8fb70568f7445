// The typed helpers (kv, d1, r2, queue) against a host that speaks the command vocabulary.

#include <doctest/doctest.h>

#include <map>

#include <boost/json/parse.hpp>

#include "calls.hpp"
#include "containerflare/command.hpp"
#include "line_host.hpp"
#include "run.hpp"

namespace cf = containerflare;
namespace json = boost::json;
using cf::command_errc;
using namespace std::chrono_literals;

namespace {

// An in-memory host for the vocabulary of PROTOCOL.md, recording every payload it receives.
struct vocabulary_host {
  std::map<std::string, std::string> kv;  // "binding:key" -> value
  std::map<std::string, std::string> r2;  // key -> body_base64
  std::vector<json::value> queued;
  std::vector<cftest::received> seen;

  static std::string scoped(const json::object& p) {
    const auto* binding = p.if_contains("binding");
    return (binding != nullptr ? std::string(binding->as_string()) : "default") + ":" +
           std::string(p.at("key").as_string());
  }

  json::object r2_info(const std::string& key, bool with_body) {
    const auto& encoded = r2.at(key);
    json::object info{{"key", key},
                      {"size", cf::base64_decode(encoded).value_or("").size()},
                      {"etag", "etag-" + key},
                      {"http_metadata", {{"contentType", "application/octet-stream"}}}};
    if (with_body) info["body_base64"] = encoded;
    return info;
  }

  std::optional<std::string> answer(const cftest::received& r) {
    seen.push_back(r);
    const auto& c = r.command;
    const json::object empty;
    const auto& p = r.payload.is_object() ? r.payload.get_object() : empty;
    auto ok = [&](json::value payload) { return cftest::reply_line(r.id, payload); };
    if (c == "kv.get") {
      auto it = kv.find(scoped(p));
      if (it == kv.end()) return ok(nullptr);
      if (p.at("type") == "json") return ok(json::parse(it->second));
      if (it->second == "not-a-string") return ok(42);
      return ok(json::string(it->second));
    }
    if (c == "kv.put") {
      kv[scoped(p)] = std::string(p.at("value").as_string());
      return ok(nullptr);
    }
    if (c == "kv.delete") {
      kv.erase(scoped(p));
      return ok(nullptr);
    }
    if (c == "kv.list") {
      json::array keys;
      const std::string prefix =
          p.contains("prefix") ? std::string(p.at("prefix").as_string()) : std::string();
      for (const auto& [name, value] : kv) {
        const auto key = name.substr(name.find(':') + 1);
        if (key.starts_with(prefix))
          keys.push_back(json::object{{"name", key}, {"expiration", 1700000000}});
      }
      return ok(json::object{{"keys", keys}, {"list_complete", false}, {"cursor", "next-page"}});
    }
    if (c == "d1.query") {
      return ok(json::object{
          {"results", json::array{json::object{{"sql", p.at("sql")}, {"params", p.at("params")}},
                                  json::object{{"n", 2}}}},
          {"meta", {{"changes", 1}, {"last_row_id", 42}, {"duration", 0.5}, {"rows_read", 3}}}});
    }
    if (c == "d1.exec") return ok(json::object{{"count", 2}, {"duration", 1.5}});
    if (c == "d1.batch") {
      json::array results;
      for (const auto& statement : p.at("statements").as_array()) {
        results.push_back(
            json::object{{"results", json::array{json::object{{"sql", statement.at("sql")}}}},
                         {"meta", {{"changes", statement.at("params").as_array().size()}}}});
      }
      return ok(results);
    }
    if (c == "r2.put") {
      const std::string key(p.at("key").as_string());
      r2[key] = std::string(p.at("body_base64").as_string());
      return ok(r2_info(key, false));
    }
    if (c == "r2.get" || c == "r2.head") {
      const std::string key(p.at("key").as_string());
      if (key == "corrupt") {
        return ok(json::object{{"key", key}, {"size", 1}, {"body_base64", "!!!"}});
      }
      if (!r2.contains(key)) return ok(nullptr);
      return ok(r2_info(key, c == "r2.get"));
    }
    if (c == "r2.delete") {
      r2.erase(std::string(p.at("key").as_string()));
      return ok(nullptr);
    }
    if (c == "r2.list") {
      json::array objects;
      for (const auto& [key, body] : r2) objects.push_back(r2_info(key, false));
      return ok(json::object{{"objects", objects}, {"truncated", false}});
    }
    if (c == "queue.send") {
      queued.push_back(p.at("body"));
      return ok(nullptr);
    }
    if (c == "queue.send_batch") {
      for (const auto& m : p.at("messages").as_array()) queued.push_back(m.at("body"));
      return ok(nullptr);
    }
    return cftest::reply_line(r.id, nullptr, false, "unknown command: " + c);
  }
};

struct fixture {
  fixture() : host(io, cftest::line_host::listen_on::unix_socket) {
    host.respond_with([this](const cftest::received& r) { return vocabulary.answer(r); });
    client.emplace(io, cftest::options_for(host.endpoint()));
  }
  const json::object& last_payload() const { return vocabulary.seen.back().payload.as_object(); }

  asio::io_context io;
  cftest::line_host host;
  vocabulary_host vocabulary;
  std::optional<cf::command_client> client;
};

}  // namespace

TEST_CASE("kv: put, get, get_json") {
  fixture f;
  cftest::run(f.io, [&]() -> cf::task<void> {
    cf::kv store(*f.client);
    // Awaited outside the assertion macros: their try/catch around a co_await trips g++ 12.
    auto value = co_await store.get("visits");
    CHECK_FALSE(value);
    CHECK(f.last_payload().at("type") == "text");
    CHECK_FALSE(f.last_payload().contains("binding"));

    // g++ 12 rejects braced lists inside a co_await expression ("array used as initializer"),
    // so arguments with initializer lists are built first.
    cf::kv_put_options with_ttl{120, json::value(json::object{{"by", "test"}})};
    co_await store.put("visits", "41", std::move(with_ttl));
    const auto& put = f.last_payload();
    CHECK(put.at("key") == "visits");
    CHECK(put.at("value") == "41");
    CHECK(put.at("expiration_ttl") == 120);
    CHECK(put.at("metadata").at("by") == "test");
    value = co_await store.get("visits");
    CHECK(value == std::optional<std::string>("41"));

    co_await store.put("doc", "{\"a\":[1,2]}");
    CHECK_FALSE(f.last_payload().contains("expiration_ttl"));
    CHECK_FALSE(f.last_payload().contains("metadata"));
    const auto doc = co_await store.get_json("doc");
    CHECK(doc.at("a").at(1) == 2);
  }());
}

TEST_CASE("kv: list and delete") {
  fixture f;
  f.vocabulary.kv["default:visits"] = "41";
  cftest::run(f.io, [&]() -> cf::task<void> {
    cf::kv store(*f.client);
    const cf::kv_list_options page{"vis", 10, "c0"};
    const auto listed = co_await store.list(page);
    CHECK(f.last_payload().at("prefix") == "vis");
    CHECK(f.last_payload().at("limit") == 10);
    CHECK(f.last_payload().at("cursor") == "c0");
    REQUIRE(listed.keys.size() == 1);
    CHECK(listed.keys[0].name == "visits");
    CHECK(listed.keys[0].expiration == 1700000000);
    CHECK_FALSE(listed.list_complete);
    CHECK(listed.cursor == std::optional<std::string>("next-page"));

    co_await store.remove("visits");
    CHECK(f.vocabulary.seen.back().command == "kv.delete");
    const auto value = co_await store.get("visits");
    CHECK_FALSE(value);
  }());
}

TEST_CASE("kv: bindings, and a reply of the wrong type") {
  fixture f;
  cftest::run(f.io, [&]() -> cf::task<void> {
    cf::kv store(*f.client);
    cf::kv sessions(*f.client, "SESSIONS");
    co_await sessions.put("visits", "other binding");
    CHECK(f.last_payload().at("binding") == "SESSIONS");
    auto value = co_await sessions.get("visits");
    CHECK(value == std::optional<std::string>("other binding"));
    value = co_await store.get("visits");
    CHECK_FALSE(value);  // the default binding is separate

    co_await store.put("odd", "not-a-string");
    const auto odd = co_await cftest::error_from(store.get("odd"));
    REQUIRE_MESSAGE(odd, "a non-string kv.get reply was accepted");
    CHECK(odd->kind() == command_errc::serialization);
  }());
}

TEST_CASE("d1: query with bound parameters, exec, batch") {
  fixture f;
  cftest::run(f.io, [&]() -> cf::task<void> {
    cf::d1 db(*f.client, "DB");
    json::array params{7, "x"};
    const auto result =
        co_await db.query("SELECT * FROM notes WHERE id = ? AND tag = ?", std::move(params));
    CHECK(f.last_payload().at("binding") == "DB");
    CHECK(f.last_payload().at("params") == json::array{7, "x"});
    REQUIRE(result.rows.size() == 2);
    CHECK(result.rows[0].at("sql") == "SELECT * FROM notes WHERE id = ? AND tag = ?");
    CHECK(result.rows[1].at("n") == 2);
    CHECK(result.meta.changes == 1);
    CHECK(result.meta.last_row_id == 42);
    CHECK(result.meta.duration == 0.5);
    CHECK(result.meta.raw.at("rows_read") == 3);

    const auto executed = co_await db.exec("CREATE TABLE t (x); CREATE INDEX i ON t (x);");
    CHECK(executed.count == 2);
    CHECK(executed.duration == 1.5);

    std::vector<cf::d1_statement> statements{{"INSERT INTO t VALUES (?)", {1}},
                                             {"INSERT INTO t VALUES (?), (?)", {2, 3}}};
    const auto batch = co_await db.batch(std::move(statements));
    REQUIRE(batch.size() == 2);
    CHECK(batch[0].rows[0].at("sql") == "INSERT INTO t VALUES (?)");
    CHECK(batch[1].meta.changes == 2);
  }());
}

TEST_CASE("r2: bytes in and out through base64, head, list, delete") {
  fixture f;
  cftest::run(f.io, [&]() -> cf::task<void> {
    cf::r2 bucket(*f.client);
    std::string bytes("\0\x01\xff binary \n data", 17);
    cf::r2_put_options metadata{json::object{{"contentType", "application/x-test"}},
                                json::object{{"owner", "me"}}};
    const auto info = co_await bucket.put("files/a.bin", bytes, std::move(metadata));
    CHECK(f.last_payload().at("body_base64") == json::value(cf::base64_encode(bytes)));
    CHECK(f.last_payload().at("http_metadata").at("contentType") == "application/x-test");
    CHECK(f.last_payload().at("custom_metadata").at("owner") == "me");
    CHECK(info.key == "files/a.bin");
    CHECK(info.size == bytes.size());
    CHECK_FALSE(info.body);

    const auto got = co_await bucket.get("files/a.bin");
    REQUIRE(got);
    REQUIRE(got->body);
    CHECK(*got->body == bytes);
    CHECK(got->etag == "etag-files/a.bin");
    CHECK(got->http_metadata.at("contentType") == "application/octet-stream");

    const auto head = co_await bucket.head("files/a.bin");
    REQUIRE(head);
    CHECK_FALSE(head->body);
    CHECK(head->size == bytes.size());

    const auto missing = co_await bucket.get("missing");
    CHECK_FALSE(missing);
    const cf::r2_list_options page{"files/", 5, ""};
    const auto listed = co_await bucket.list(page);
    CHECK(f.last_payload().at("prefix") == "files/");
    CHECK_FALSE(f.last_payload().contains("cursor"));
    REQUIRE(listed.objects.size() == 1);
    CHECK_FALSE(listed.truncated);

    co_await bucket.remove("files/a.bin");
    const auto deleted = co_await bucket.head("files/a.bin");
    CHECK_FALSE(deleted);

    const auto corrupt = co_await cftest::error_from(bucket.get("corrupt"));
    REQUIRE_MESSAGE(corrupt, "invalid base64 was accepted");
    CHECK(corrupt->kind() == command_errc::serialization);
    CHECK(corrupt->diagnostic().find("body_base64") != std::string::npos);
  }());
}

TEST_CASE("queue: send and send_batch") {
  fixture f;
  cftest::run(f.io, [&]() -> cf::task<void> {
    cf::queue events(*f.client, "EVENTS");
    json::object visit{{"type", "visit"}};
    co_await events.send(std::move(visit));
    CHECK(f.last_payload().at("binding") == "EVENTS");
    std::vector<json::value> batch{1, "two", json::object{{"three", 3}}};
    co_await events.send_batch(std::move(batch));
    CHECK(f.last_payload().at("messages").as_array().size() == 3);
  }());
  REQUIRE(f.vocabulary.queued.size() == 4);
  CHECK(f.vocabulary.queued[0].at("type") == "visit");
  CHECK(f.vocabulary.queued[2] == "two");
}

TEST_CASE("an unknown command is a command failure naming it") {
  fixture f;
  cftest::run(f.io, [&]() -> cf::task<void> {
    const auto error = co_await cftest::error_from(f.client->invoke("kv.frobnicate"));
    REQUIRE(error);
    CHECK(error->kind() == command_errc::command_failure);
    CHECK(error->diagnostic() == "unknown command: kv.frobnicate");
    CHECK(error->http_status() == 502);
  }());
}
