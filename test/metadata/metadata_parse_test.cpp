// parse_metadata_header beyond the serde fixtures: our deliberate differences field by field, the
// extension fields, non-ASCII input, and JSON validation.

#include <doctest/doctest.h>

#include <simdjson.h>
#include <algorithm>
#include <boost/json/parse.hpp>
#include <functional>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "containerflare/metadata.hpp"
#include "metadata_test_support.hpp"

namespace cf = containerflare;

namespace {

// Every string-or-null field at the top level, v0.2 and extension.
const std::vector<std::string> optional_string_fields = {"request_id",
                                                         "colo",
                                                         "region",
                                                         "country",
                                                         "client_ip",
                                                         "host",
                                                         "scheme",
                                                         "worker_name",
                                                         "project_id",
                                                         "cloud_run_service",
                                                         "cloud_run_revision",
                                                         "cloud_run_configuration",
                                                         "cloud_run_region",
                                                         "forwarded_proto",
                                                         "forwarded",
                                                         "user_agent",
                                                         "accept",
                                                         "accept_language",
                                                         "accept_encoding",
                                                         "sec_gpc",
                                                         "raw_url",
                                                         "region_code",
                                                         "city",
                                                         "continent",
                                                         "timezone",
                                                         "as_organization",
                                                         "postal_code",
                                                         "http_protocol",
                                                         "tls_version"};

const std::vector<std::string> wrong_values = {"123", "-1.5",        "true", "false",
                                               "{}",  "{\"a\":[1]}", "[]",   "[\"a\"]"};

bool boost_json_accepts(std::string_view text) {
  std::error_code ec;
  boost::json::parse(text, ec);
  return !ec;
}

}  // namespace

TEST_SUITE("metadata") {
  TEST_CASE("a wrong-typed string field is dropped on its own") {
    for (const auto& field : optional_string_fields) {
      for (const auto& value : wrong_values) {
        const std::string sentinel = field == "colo" ? "country" : "colo";
        const std::string input =
            "{\"" + field + "\":" + value + ",\"" + sentinel + "\":\"kept\",\"method\":\"PUT\"}";
        CAPTURE(input);
        const auto parsed = cf::parse_metadata_header(input);
        REQUIRE(parsed.has_value());
        cf::request_metadata expected;
        (sentinel == "colo" ? expected.colo : expected.country) = "kept";
        expected.method = "PUT";
        CHECK(*parsed == expected);
      }
      // The same field with a string is read (the loop above would also pass if it never was).
      const auto parsed = cf::parse_metadata_header("{\"" + field + "\":\"v\"}");
      REQUIRE(parsed.has_value());
      CHECK(cf::serialize_metadata(*parsed).find("\"" + field + "\":\"v\"") != std::string::npos);
    }
  }

  TEST_CASE("method and path: null or a non-string keeps the default") {
    for (const std::string value : {"null", "1", "true", "[\"POST\"]", "{}"}) {
      CAPTURE(value);
      const auto parsed = cf::parse_metadata_header("{\"method\":" + value + ",\"path\":" + value +
                                                    ",\"colo\":\"A\"}");
      REQUIRE(parsed.has_value());
      CHECK(parsed->method == "GET");
      CHECK(parsed->path == "/");
      CHECK(parsed->colo == "A");
    }
    const auto parsed = cf::parse_metadata_header(R"({"method":"DELETE","path":"/x?y=1"})");
    REQUIRE(parsed.has_value());
    CHECK(parsed->method == "DELETE");
    CHECK(parsed->path == "/x?y=1");
  }

  TEST_CASE("forwarded_for that is not an array of strings keeps []") {
    for (const std::string value :
         {"null", "\"a\"", "1", "{}", "[\"a\",null]", "[\"a\",1]", "[[\"a\"]]"}) {
      CAPTURE(value);
      const auto parsed =
          cf::parse_metadata_header("{\"forwarded_for\":" + value + ",\"colo\":\"A\"}");
      REQUIRE(parsed.has_value());
      CHECK(parsed->forwarded_for.empty());
      CHECK(parsed->colo == "A");
    }
    const auto parsed =
        cf::parse_metadata_header(R"({"forwarded_for":["203.0.113.7","10.0.0.1"]})");
    REQUIRE(parsed.has_value());
    CHECK(parsed->forwarded_for == std::vector<std::string>{"203.0.113.7", "10.0.0.1"});
  }

  TEST_CASE("platform values that do not fit are dropped; wrong-typed variant fields alone") {
    for (const std::string value :
         {"\"cloudflare\"", "1", "[\"cloudflare\"]", R"({"platform":"aws"})",
          R"({"platform":null})", R"({"platform":["cloudflare"]})", R"({"worker_name":"w"})"}) {
      CAPTURE(value);
      const auto parsed = cf::parse_metadata_header("{\"platform\":" + value + ",\"colo\":\"A\"}");
      REQUIRE(parsed.has_value());
      CHECK_FALSE(parsed->platform.has_value());
      CHECK(parsed->colo == "A");
    }
    const auto run = cf::parse_metadata_header(
        R"({"platform":{"service":5,"revision":"r","platform":"cloud_run","configuration":[],"project_id":"p","region":{}}})");
    REQUIRE(run.has_value());
    CHECK(run->platform == cf::metadata_platform{cf::cloud_run_platform{
                               std::nullopt, "r", std::nullopt, "p", std::nullopt}});
    // A repeated field of the other variant is ignored, as serde does.
    const auto cloudflare = cf::parse_metadata_header(
        R"({"platform":{"platform":"cloudflare","service":"a","service":"b"}})");
    REQUIRE(cloudflare.has_value());
    CHECK(cloudflare->platform == cf::metadata_platform{cf::cloudflare_platform{}});
    // ...but a repeated field of the selected variant rejects the header.
    CHECK_FALSE(cf::parse_metadata_header(
                    R"({"platform":{"platform":"cloud_run","region":"a","region":"b"}})")
                    .has_value());
  }

  TEST_CASE("trace_context and client_hints: non-objects are dropped, wrong-typed members alone") {
    for (const std::string value : {"1", "\"x\"", "[]", "true"}) {
      CAPTURE(value);
      const auto parsed = cf::parse_metadata_header(
          "{\"trace_context\":" + value + ",\"client_hints\":" + value + ",\"colo\":\"A\"}");
      REQUIRE(parsed.has_value());
      CHECK_FALSE(parsed->trace_context.has_value());
      CHECK_FALSE(parsed->client_hints.has_value());
      CHECK(parsed->colo == "A");
    }
    const auto parsed = cf::parse_metadata_header(
        R"({"trace_context":{"trace_id":1,"span_id":"s","sampled":"yes","project_id":[],"raw":"r"},)"
        R"("client_hints":{"ua":"u","ua_mobile":false,"ua_wow64":"?0","ua_model":{}}})");
    REQUIRE(parsed.has_value());
    CHECK(parsed->trace_context ==
          cf::trace_context_info{std::nullopt, "s", std::nullopt, std::nullopt, "r"});
    cf::client_hints_info hints;
    hints.ua = "u";
    hints.ua_wow64 = "?0";
    CHECK(parsed->client_hints == hints);
    CHECK_FALSE(cf::parse_metadata_header(R"({"client_hints":{"ua":"a","ua":"b"}})").has_value());
  }

  TEST_CASE("non-ASCII: raw UTF-8 and \\u escapes decode to the same text") {
    const auto raw = cf::parse_metadata_header(
        "{\"region\":\"Baden-W\xc3\xbcrttemberg\",\"city\":\"\xe6\x9d\xb1\xe4\xba\xac\"}");
    const auto escaped =
        cf::parse_metadata_header(R"({"region":"Baden-W\u00fcrttemberg","city":"\u6771\u4eac"})");
    REQUIRE(raw.has_value());
    REQUIRE(escaped.has_value());
    CHECK(raw->region == "Baden-W\xc3\xbcrttemberg");
    CHECK(raw->city == "\xe6\x9d\xb1\xe4\xba\xac");
    CHECK(*raw == *escaped);
    // Serialised raw, as serde_json does.
    CHECK(cf::serialize_metadata(*escaped).find("\"region\":\"Baden-W\xc3\xbcrttemberg\"") !=
          std::string::npos);
    // Invalid UTF-8 is still invalid JSON.
    CHECK_FALSE(cf::parse_metadata_header("{\"region\":\"Baden-W\xfcrttemberg\"}").has_value());
  }

  TEST_CASE("extension fields as the Worker sends them") {
    const auto parsed = cf::parse_metadata_header(
        R"({"colo":"SJC","region_code":"CA","city":"San Jose","continent":"NA",)"
        R"("timezone":"America/Los_Angeles","asn":13335,"as_organization":"Cloudflare, Inc.",)"
        R"("latitude":"37.33939","longitude":"-121.89496","postal_code":"95113",)"
        R"("http_protocol":"HTTP/2","tls_version":"TLSv1.3"})");
    REQUIRE(parsed.has_value());
    CHECK(parsed->region_code == "CA");
    CHECK(parsed->city == "San Jose");
    CHECK(parsed->continent == "NA");
    CHECK(parsed->timezone == "America/Los_Angeles");
    CHECK(parsed->asn == 13335U);
    CHECK(parsed->as_organization == "Cloudflare, Inc.");
    CHECK(parsed->latitude == "37.33939");
    CHECK(parsed->longitude == "-121.89496");
    CHECK(parsed->postal_code == "95113");
    CHECK(parsed->http_protocol == "HTTP/2");
    CHECK(parsed->tls_version == "TLSv1.3");

    // They follow the v0.2 fields, in declaration order.
    const std::string json = cf::serialize_metadata(*parsed);
    const std::string v02_end = R"("raw_url":null,)";
    REQUIRE(json.find(v02_end) != std::string::npos);
    CHECK(
        json.substr(json.find(v02_end) + v02_end.size()) ==
        R"("region_code":"CA","city":"San Jose","continent":"NA","timezone":"America/Los_Angeles",)"
        R"("asn":13335,"as_organization":"Cloudflare, Inc.","latitude":"37.33939",)"
        R"("longitude":"-121.89496","postal_code":"95113","http_protocol":"HTTP/2","tls_version":"TLSv1.3"})");
    CHECK(cf::parse_metadata_header(json) == parsed);
  }

  TEST_CASE("absent extension fields are omitted from the JSON") {
    cf::request_metadata m;
    m.city = "Berlin";
    CHECK(cf::serialize_metadata(m) ==
          metadata_test::read_fixture("metadata-default.json")
                  .substr(0, metadata_test::read_fixture("metadata-default.json").size() - 1) +
              R"(,"city":"Berlin"})");
  }

  TEST_CASE("asn: a number or a string of digits; latitude/longitude: a string or a number") {
    CHECK(cf::parse_metadata_header(R"({"asn":"13335"})")->asn == 13335U);
    CHECK(cf::parse_metadata_header(R"({"asn":4294967295})")->asn == 4294967295U);
    for (const std::string value :
         {"4294967296", "-1", "1.5", "1e3", "\"AS13335\"", "\"\"", "true", "[]"}) {
      CAPTURE(value);
      const auto parsed = cf::parse_metadata_header("{\"asn\":" + value + ",\"colo\":\"A\"}");
      REQUIRE(parsed.has_value());
      CHECK_FALSE(parsed->asn.has_value());
      CHECK(parsed->colo == "A");
    }
    const auto numbers =
        cf::parse_metadata_header(R"({"latitude":37.33939,"longitude":-121.89496e0})");
    REQUIRE(numbers.has_value());
    CHECK(numbers->latitude == "37.33939");
    CHECK(numbers->longitude == "-121.89496e0");
    const auto wrong = cf::parse_metadata_header(R"({"latitude":true,"longitude":{},"colo":"A"})");
    REQUIRE(wrong.has_value());
    CHECK_FALSE(wrong->latitude.has_value());
    CHECK_FALSE(wrong->longitude.has_value());
  }

  TEST_CASE("a repeated extension field keeps its last well-typed value") {
    CHECK(cf::parse_metadata_header(R"({"city":"A","city":"B"})")->city == "B");
    CHECK(cf::parse_metadata_header(R"({"city":"A","city":5})")->city == "A");
    CHECK_FALSE(cf::parse_metadata_header(R"({"city":"A","city":null})")->city.has_value());
  }

  TEST_CASE("top-level array: positional v0.2 fields, wrong-typed elements dropped") {
    const auto parsed = cf::parse_metadata_header(R"(["id",5,"region"])");
    REQUIRE(parsed.has_value());
    CHECK(parsed->request_id == "id");
    CHECK_FALSE(parsed->colo.has_value());
    CHECK(parsed->region == "region");
  }

  TEST_CASE("invalid JSON is rejected wherever it hides (cross-checked with Boost.JSON)") {
    const std::vector<std::string> invalid = {R"({"x":[1,,2]})",
                                              R"({"x":{"a":1,}})",
                                              R"({"x":01})",
                                              R"({"x":1.})",
                                              R"({"x":-})",
                                              R"({"x":.5})",
                                              R"({"x":+1})",
                                              R"({"x":1e})",
                                              R"({"x":tru})",
                                              R"({"x":nul})",
                                              R"({"x":falsey})",
                                              R"({"x":"\q"})",
                                              R"({"x":"\u12"})",
                                              R"({"x":[1 2]})",
                                              R"({"x" 1})",
                                              R"({"x":[})",
                                              R"({"x":{"a"}})",
                                              R"({"x":{1:2}})",
                                              R"({"colo":"A")",
                                              R"({"x":"\udc00"})",
                                              "{\"x\":\"\xff\"}",
                                              "{\"x\":[\"a\nb\"]}",
                                              R"({"forwarded_for":["a",]})",
                                              R"({"trace_context":{"sampled":tru}})",
                                              R"({"platform":{"platform":"cloudflare",}})",
                                              R"(["a",])",
                                              R"({} {})",
                                              R"({"colo":"A"}])",
                                              R"({"\q":1})",
                                              R"({"x":{"\ud800":1}})",
                                              ""};
    for (const auto& input : invalid) {
      CAPTURE(input);
      CHECK_FALSE(boost_json_accepts(input));
      CHECK_FALSE(cf::parse_metadata_header(input).has_value());
    }
    const std::vector<std::string> valid = {R"({"x":-0.0e+5})",
                                            R"({"x":[[],{},[{}]]})",
                                            R"({"x":1e400,"y":123456789012345678901234567890})",
                                            R"({"x":"\ud83d\ude00\/\b"})",
                                            " \t\r\n{}\n",
                                            R"({"x":{"colo":5,"colo":6}})",
                                            R"({"x":true,"y":false,"z":null})"};
    for (const auto& input : valid) {
      CAPTURE(input);
      CHECK(boost_json_accepts(input));
      CHECK(cf::parse_metadata_header(input) == cf::request_metadata{});
    }
  }

  TEST_CASE("mutated headers: invalid JSON is always rejected, duplicate-free JSON objects kept") {
    // Differential check against two independent parsers. Boost.JSON decides validity; simdjson's
    // DOM (which keeps repeated keys) tells whether any object repeats a key.
    const std::string seeds[] = {
        metadata_test::read_fixture("metadata-full.json"),
        metadata_test::read_fixture("metadata-cloudrun.json"),
        R"({"colo":"SJC","asn":13335,"latitude":37.5,"x":[1,-2.5e3,true,false,null,{"y":"\u00e9"}]})"};
    const std::string alphabet = "{}[]\",:\\0123456789.eE+-tnfalsru \x01\xc3\xa9\xff";
    std::mt19937 random(20240601);
    simdjson::dom::parser dom;
    const std::function<bool(simdjson::dom::element)> repeats_a_key =
        [&](simdjson::dom::element e) {
          simdjson::dom::object object;
          simdjson::dom::array array;
          if (!e.get(object)) {
            std::vector<std::string_view> keys;
            for (const auto member : object) {
              if (std::find(keys.begin(), keys.end(), member.key) != keys.end()) return true;
              keys.push_back(member.key);
              if (repeats_a_key(member.value)) return true;
            }
          } else if (!e.get(array)) {
            for (const auto child : array) {
              if (repeats_a_key(child)) return true;
            }
          }
          return false;
        };
    int rejected_invalid = 0;
    int kept_valid = 0;
    for (int round = 0; round < 40000; ++round) {
      std::string input = seeds[static_cast<std::size_t>(round) % std::size(seeds)];
      const int edits = 1 + static_cast<int>(random() % 3);
      for (int e = 0; e < edits; ++e) {
        const std::size_t at = random() % (input.size() + 1);
        const char c = alphabet[random() % alphabet.size()];
        switch (random() % 3) {
          case 0:
            input.insert(at, 1, c);
            break;
          case 1:
            if (at < input.size()) input.erase(at, 1);
            break;
          default:
            if (at < input.size()) input[at] = c;
            break;
        }
      }
      CAPTURE(input);
      const bool ours = cf::parse_metadata_header(input).has_value();
      if (!boost_json_accepts(input)) {
        ++rejected_invalid;
        CHECK_FALSE(ours);
        continue;
      }
      simdjson::dom::element root;
      if (dom.parse(input).get(root) || !root.is_object() || repeats_a_key(root)) continue;
      ++kept_valid;
      CHECK(ours);
    }
    // Both branches were exercised.
    CHECK(rejected_invalid > 10000);
    CHECK(kept_valid > 5000);
  }

  TEST_CASE("nesting inside unknown fields: deep values pass up to the documented bound") {
    const auto nested = [](int depth) {
      return "{\"x\":" + std::string(static_cast<std::size_t>(depth), '[') +
             std::string(static_cast<std::size_t>(depth), ']') + ",\"colo\":\"A\"}";
    };
    const auto deep = cf::parse_metadata_header(nested(1000));
    REQUIRE(deep.has_value());
    CHECK(deep->colo == "A");
    CHECK_FALSE(cf::parse_metadata_header(nested(5000)).has_value());

    std::string objects = "{\"x\":";
    for (int i = 0; i < 1000; ++i) objects += "{\"a\":";
    objects += "null" + std::string(1000, '}') + ",\"colo\":\"B\"}";
    const auto deep_objects = cf::parse_metadata_header(objects);
    REQUIRE(deep_objects.has_value());
    CHECK(deep_objects->colo == "B");
  }

  TEST_CASE("the parser's buffers are reused safely between headers of different sizes") {
    const std::string long_value(5000, 'u');
    const auto first = cf::parse_metadata_header("{\"user_agent\":\"" + long_value + "\"}");
    REQUIRE(first.has_value());
    CHECK(first->user_agent == long_value);
    const auto second = cf::parse_metadata_header(R"({"colo":"B"})");
    REQUIRE(second.has_value());
    CHECK_FALSE(second->user_agent.has_value());
    CHECK(second->colo == "B");
    // A prefix of a longer, earlier header must not leak its tail.
    CHECK_FALSE(cf::parse_metadata_header(R"({"colo":"B")").has_value());
  }
}
