#include "containerflare/command/message.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace cf = containerflare;
namespace json = boost::json;

namespace {

json::value parse_deep(std::string_view text) {
  json::parse_options options;
  options.max_depth = 512;
  return json::parse(json::string_view(text.data(), text.size()), {}, options);
}

json::object load_fixtures() {
  const char* path = std::getenv("CF_SERDE_COMMAND_CASES");
  REQUIRE_MESSAGE(path != nullptr, "CF_SERDE_COMMAND_CASES must name command-cases.json");
  std::ifstream file(path);
  REQUIRE_MESSAGE(file.good(), "cannot open ", path);
  std::stringstream text;
  text << file.rdbuf();
  return parse_deep(text.str()).as_object();
}

// Same value, and a -0.0 stays negative (equality alone cannot tell).
void check_same(const json::value& ours, const json::value& expected) {
  CHECK(ours == expected);
  if (expected.is_double() && ours.is_double()) {
    CHECK(std::signbit(ours.get_double()) == std::signbit(expected.get_double()));
  }
  if (expected.is_array() && ours.is_array() &&
      ours.get_array().size() == expected.get_array().size()) {
    for (std::size_t i = 0; i < ours.get_array().size(); ++i) {
      check_same(ours.get_array()[i], expected.get_array()[i]);
    }
  }
}

}  // namespace

TEST_CASE("request lines are compact, single-line JSON with id, command and payload") {
  std::string out;
  cf::append_request_line(out, 7, "kv.get", json::object{{"key", "a"}});
  CHECK(out == "{\"id\":7,\"command\":\"kv.get\",\"payload\":{\"key\":\"a\"}}\n");

  out.clear();
  cf::append_request_line(out, 18446744073709551615ULL, "ping", nullptr);
  CHECK(out == "{\"id\":18446744073709551615,\"command\":\"ping\",\"payload\":null}\n");

  out.clear();
  cf::append_request_line(out, 1, "we\"ird\ncommand",
                          json::object{{"text", "line one\nline two\r\n"}, {"nested", {1, 2}}});
  CHECK(out.find('\n') == out.size() - 1);  // control characters are escaped, never raw
  const auto back = json::parse(out).as_object();
  CHECK(back.at("command") == "we\"ird\ncommand");
  CHECK(back.at("payload").at("text") == "line one\nline two\r\n");
}

TEST_CASE("requests serialise like serde's CommandRequest, plus the id") {
  const auto fixtures = load_fixtures();
  for (const auto& item : fixtures.at("serialize").as_array()) {
    const auto& c = item.as_object();
    CAPTURE(c.at("name").as_string().c_str());
    const auto& expected = c.at("output").as_object();
    std::string out;
    if (expected.contains("command")) {
      cf::command_request request{std::nullopt, std::string(expected.at("command").as_string()),
                                  expected.at("payload")};
      cf::append_request_line(out, 42, request.command, request.payload);
      auto ours = json::parse(out).as_object();
      CHECK(ours.at("id") == 42);
      ours.erase("id");
      CHECK(json::value(ours) == json::value(expected));
      out.clear();
      cf::append_request_line(out, request);  // without an id: serde's exact shape
      CHECK(json::parse(out) == json::value(expected));
    } else {
      cf::command_response response;
      response.ok = expected.at("ok").as_bool();
      response.payload = expected.at("payload");
      if (expected.at("diagnostic").is_string()) {
        response.diagnostic = std::string(expected.at("diagnostic").as_string());
      }
      cf::append_response_line(out, response);
      CHECK(out == std::string(c.at("output_bytes").as_string()) + "\n");
    }
  }
}

TEST_CASE("reply parsing accepts exactly what serde's CommandResponse accepts") {
  const auto fixtures = load_fixtures();
  cf::message_parser parser;
  std::size_t accepted = 0, rejected = 0;
  for (const auto& item : fixtures.at("deserialize_command_response").as_array()) {
    const auto& c = item.as_object();
    const std::string name(c.at("name").as_string());
    const std::string input(c.at("input").as_string());
    const auto& result = c.at("result").as_object();
    CAPTURE(name);
    cf::command_response response;
    std::string problem;
    const bool ok = parser.parse_response(input, response, problem);
    if (result.contains("error")) {
      ++rejected;
      CHECK_FALSE(ok);
      CHECK_FALSE(problem.empty());
      continue;
    }
    ++accepted;
    REQUIRE_MESSAGE(ok, problem);
    const auto expected = result.contains("ok_bytes")
                              ? parse_deep(std::string(result.at("ok_bytes").as_string()))
                              : result.at("ok");
    CHECK(response.ok == expected.at("ok").as_bool());
    check_same(response.payload, expected.at("payload"));
    if (expected.at("diagnostic").is_null()) {
      CHECK_FALSE(response.diagnostic);
    } else {
      REQUIRE(response.diagnostic);
      CHECK(*response.diagnostic == expected.at("diagnostic").as_string());
    }
  }
  // The fixture file really was read: both kinds of case are there.
  CHECK(accepted >= 10);
  CHECK(rejected >= 10);
}

TEST_CASE("request parsing follows serde's CommandRequest") {
  const auto fixtures = load_fixtures();
  cf::message_parser parser;
  for (const auto& item : fixtures.at("deserialize_command_request").as_array()) {
    const auto& c = item.as_object();
    CAPTURE(c.at("name").as_string().c_str());
    cf::command_request request;
    std::string problem;
    const bool ok = parser.parse_request(std::string(c.at("input").as_string()), request, problem);
    const auto& result = c.at("result").as_object();
    if (result.contains("error")) {
      CHECK_FALSE(ok);
      continue;
    }
    REQUIRE_MESSAGE(ok, problem);
    CHECK(request.command == result.at("ok").at("command").as_string());
    CHECK(request.payload == result.at("ok").at("payload"));
    CHECK_FALSE(request.id);
  }
  cf::command_request request;
  std::string problem;
  REQUIRE(parser.parse_request("{\"id\":9,\"command\":\"kv.get\",\"payload\":{\"key\":\"a\"}}\n",
                               request, problem));
  CHECK(request.id == 9u);
  CHECK(request.command == "kv.get");
  CHECK(request.payload.at("key") == "a");
}

TEST_CASE("reply ids") {
  cf::message_parser parser;
  cf::command_response response;
  std::string problem;

  REQUIRE(parser.parse_response("{\"id\":12,\"ok\":true,\"payload\":[1]}", response, problem));
  CHECK(response.id == 12u);

  REQUIRE(parser.parse_response("{\"ok\":true,\"id\":null}", response, problem));
  CHECK_FALSE(response.id);

  CHECK_FALSE(parser.parse_response("{\"ok\":true,\"id\":\"12\"}", response, problem));
  CHECK(problem.find("id") != std::string::npos);
  CHECK_FALSE(parser.parse_response("{\"ok\":true,\"id\":-1}", response, problem));
  CHECK_FALSE(parser.parse_response("{\"ok\":true,\"id\":1,\"id\":2}", response, problem));

  // A bad reply still reports its id, wherever the problem is, so its call can fail at once.
  CHECK_FALSE(parser.parse_response("{\"ok\":\"yes\",\"id\":5}", response, problem));
  CHECK(response.id == 5u);
  CHECK(problem.find("ok") != std::string::npos);
  CHECK_FALSE(parser.parse_response("{\"id\":6,\"payload\":1}", response, problem));
  CHECK(response.id == 6u);
  CHECK(problem.find("missing field `ok`") != std::string::npos);
}

TEST_CASE("reply parsing rejects malformed JSON anywhere, including ignored fields") {
  cf::message_parser parser;
  cf::command_response response;
  std::string problem;
  for (const char* bad :
       {"{\"ok\":true,\"x\":tru}", "{\"ok\":true,}", "{\"ok\":true", "not json", "{\"ok\":true} x",
        "\xef\xbb\xbf{\"ok\":true}", "{\"ok\":true,\"payload\":\"a\tb\"}",
        "{\"ok\":true,\"payload\":1,\"payload\":2}",
        "{\"ok\":true,\"diagnostic\":\"a\",\"diagnostic\":\"b\"}", "null", "7",
        "[true,null,null,1]", "{\"ok\":true,\"payload\":nul}",
        "{\"ok\":true,\"x\":[1,{\"y\":fals}]}", "{\"ok\":true,\"payload\":\"\\ud800\"}"}) {
    CAPTURE(bad);
    CHECK_FALSE(parser.parse_response(bad, response, problem));
    CHECK_FALSE(problem.empty());
  }
}

TEST_CASE("ignored fields: any JSON, repeated, and deeper than the payload limit") {
  cf::message_parser parser;
  cf::command_response response;
  std::string problem;
  CHECK(parser.parse_response("{\"ok\":true,\"x\":1,\"x\":[2]}", response, problem));
  const std::string deep = std::string(200, '[') + std::string(200, ']');
  CHECK(parser.parse_response("{\"ok\":true,\"x\":" + deep + "}", response, problem));
  CHECK_FALSE(parser.parse_response("{\"ok\":true,\"payload\":" + deep + "}", response, problem));
  CHECK(problem == "recursion limit exceeded");
}

TEST_CASE("reply parsing in place and with a copy give the same result") {
  cf::message_parser parser;
  std::string text =
      "{\"id\":3,\"ok\":false,\"payload\":{\"b\":[1,2.5,\"x\"]},\"diagnostic\":\"no\"}";
  const auto length = text.size();
  text.append(cf::message_parser::padding(), ' ');
  cf::command_response in_place, copied;
  std::string problem;
  REQUIRE(
      parser.parse_response(std::string_view(text.data(), length), in_place, problem, text.size()));
  REQUIRE(parser.parse_response(std::string_view(text.data(), length), copied, problem));
  CHECK(in_place.id == copied.id);
  CHECK(in_place.payload == copied.payload);
  CHECK(in_place.diagnostic == std::optional<std::string>("no"));
  CHECK_FALSE(in_place.ok);
}

TEST_CASE("responses serialise with every field, id first when set") {
  cf::command_response response;
  response.id = 4;
  response.ok = true;
  response.payload = json::object{{"pong", true}};
  std::string out;
  cf::append_response_line(out, response);
  CHECK(out == "{\"id\":4,\"ok\":true,\"payload\":{\"pong\":true},\"diagnostic\":null}\n");
}
