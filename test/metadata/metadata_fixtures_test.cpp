// The metadata parser and serialiser against real serde_json output (test/data/rust-serde).

#include <doctest/doctest.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <map>

#include "containerflare/metadata.hpp"
#include "metadata_test_support.hpp"

namespace cf = containerflare;
using metadata_test::read_fixture;

namespace {

cf::request_metadata full_metadata() {
  cf::request_metadata m;
  m.request_id = "8f3a1b2c3d4e5f60-SJC";
  m.colo = "SJC";
  m.region = "Baden-W\xc3\xbcrttemberg";
  m.country = "DE";
  m.client_ip = "203.0.113.7";
  m.host = "app.example.com";
  m.scheme = "https";
  m.platform = cf::cloudflare_platform{"my-worker"};
  m.worker_name = "my-worker";
  m.project_id = "proj-123";
  m.cloud_run_service = "svc";
  m.cloud_run_revision = "svc-00001-abc";
  m.cloud_run_configuration = "svc-config";
  m.cloud_run_region = "europe-west3";
  m.trace_context = cf::trace_context_info{"105445aa7843bc8bf206b12000100000", "1", true,
                                           "proj-123", "105445aa7843bc8bf206b12000100000/1;o=1"};
  m.forwarded_for = {"203.0.113.7", "10.0.0.1"};
  m.forwarded_proto = "https";
  m.forwarded = "for=203.0.113.7;proto=https;host=app.example.com";
  m.user_agent = "Mozilla/5.0 (X11; Linux x86_64) \"quoted\" \\ back";
  m.accept = "text/html,application/json;q=0.9,*/*;q=0.8";
  m.accept_language = "de-DE,de;q=0.9,en;q=0.8";
  m.accept_encoding = "gzip, deflate, br";
  m.sec_gpc = "1";
  m.client_hints = cf::client_hints_info{"\"Chromium\";v=\"124\", \"Not.A/Brand\";v=\"24\"",
                                         "?0",
                                         "\"Linux\"",
                                         "\"x86\"",
                                         "\"6.5.0\"",
                                         "\"\"",
                                         "\"64\"",
                                         "?0",
                                         "\"Chromium\";v=\"124.0.6367.60\""};
  m.method = "POST";
  m.path = "/api/items?q=1&lang=de";
  m.raw_url = "https://app.example.com/api/items?q=1&lang=de";
  return m;
}

cf::request_metadata cloud_run_metadata() {
  cf::request_metadata m;
  m.request_id = "105445aa7843bc8bf206b12000100000";
  m.region = "us-central1";
  m.client_ip = "198.51.100.23";
  m.host = "svc-abcdefghij-uc.a.run.app";
  m.scheme = "https";
  m.platform = cf::cloud_run_platform{"svc", "svc-00002-xyz", "svc", "my-project", "us-central1"};
  m.worker_name = "svc";
  m.project_id = "my-project";
  m.cloud_run_service = "svc";
  m.cloud_run_revision = "svc-00002-xyz";
  m.cloud_run_configuration = "svc";
  m.cloud_run_region = "us-central1";
  m.trace_context = cf::trace_context_info{"105445aa7843bc8bf206b12000100000", "1", false,
                                           "my-project", "105445aa7843bc8bf206b12000100000/1;o=0"};
  m.forwarded_for = {"198.51.100.23"};
  m.forwarded_proto = "https";
  m.path = "/healthz";
  m.raw_url = "https://svc-abcdefghij-uc.a.run.app/healthz";
  return m;
}

// The exact bytes after `"ok": ` on the result line of case `name` (the file embeds serde's
// compact output verbatim, one case result per line).
std::string ok_bytes(const std::string& file, const std::string& name) {
  const auto name_at = file.find("\"name\": \"" + name + "\"");
  REQUIRE(name_at != std::string::npos);
  const std::string marker = "\"result\": {\"ok\": ";
  const auto result_at = file.find(marker, name_at);
  REQUIRE(result_at != std::string::npos);
  const auto start = result_at + marker.size();
  const auto line_end = file.find('\n', start);
  REQUIRE(line_end != std::string::npos);
  REQUIRE(file[line_end - 1] == '}');
  return file.substr(start, line_end - 1 - start);
}

// Cases where serde rejects the header but we deliberately keep it (a wrong-typed field is
// dropped on its own): the metadata we produce instead.
std::map<std::string, std::function<cf::request_metadata()>> deliberate_differences() {
  const auto defaults = [] { return cf::request_metadata{}; };
  std::map<std::string, std::function<cf::request_metadata()>> cases;
  for (const char* name :
       {"every_field_null", "method_null", "path_null", "forwarded_for_null",
        "colo_number_wrong_type", "colo_bool_wrong_type", "method_number_wrong_type",
        "forwarded_for_string", "forwarded_for_null_element", "platform_wrong_case_tag",
        "platform_camel_case_tag", "platform_unknown_tag", "platform_missing_tag",
        "platform_as_string", "platform_tag_not_string"}) {
    cases[name] = defaults;
  }
  cases["platform_cloudflare_worker_name_wrong_type"] = [] {
    cf::request_metadata m;
    m.platform = cf::cloudflare_platform{};
    return m;
  };
  for (const char* name : {"trace_context_sampled_string_true", "trace_context_sampled_string_1",
                           "trace_context_sampled_number_1"}) {
    cases[name] = [] {
      cf::request_metadata m;
      m.trace_context = cf::trace_context_info{};
      return m;
    };
  }
  return cases;
}

}  // namespace

TEST_SUITE("metadata") {
  TEST_CASE("serialisation matches serde byte for byte") {
    CHECK(cf::serialize_metadata(cf::request_metadata{}) == read_fixture("metadata-default.json"));
    CHECK(cf::serialize_metadata(full_metadata()) == read_fixture("metadata-full.json"));
    CHECK(cf::serialize_metadata(cloud_run_metadata()) == read_fixture("metadata-cloudrun.json"));
  }

  TEST_CASE("serialize_metadata appends to the output") {
    std::string out = "prefix:";
    cf::serialize_metadata(cf::request_metadata{}, out);
    CHECK(out == "prefix:" + read_fixture("metadata-default.json"));
  }

  TEST_CASE("to_json gives the same document as serialize_metadata") {
    CHECK(boost::json::serialize(cf::to_json(full_metadata())) ==
          read_fixture("metadata-full.json"));
  }

  TEST_CASE("to_json can allocate from a caller's memory resource") {
    boost::json::monotonic_resource resource;
    const boost::json::value value = cf::to_json(cloud_run_metadata(), &resource);
    CHECK(value.storage().get() == &resource);
    CHECK(boost::json::serialize(value) == read_fixture("metadata-cloudrun.json"));
  }

  TEST_CASE("string escaping follows serde_json wherever the character sits") {
    // serde_json's rules, written out independently of the serialiser.
    const auto serde_escape = [](std::string_view text) {
      std::string out = "\"";
      for (const char c : text) {
        switch (c) {
          case '"':
            out += "\\\"";
            break;
          case '\\':
            out += "\\\\";
            break;
          case '\b':
            out += "\\b";
            break;
          case '\f':
            out += "\\f";
            break;
          case '\n':
            out += "\\n";
            break;
          case '\r':
            out += "\\r";
            break;
          case '\t':
            out += "\\t";
            break;
          default:
            if (static_cast<unsigned char>(c) < 0x20) {
              constexpr char hex[] = "0123456789abcdef";
              out += "\\u00";
              out += hex[(c >> 4) & 0xf];
              out += hex[c & 0xf];
            } else {
              out += c;
            }
        }
      }
      return out + "\"";
    };
    const std::string specials[] = {"\"",   "\\",   "\n",   "\t",       std::string(1, '\0'),
                                    "\x01", "\x1f", "\x7f", "\xc3\xbc", "\xe2\x80\xa8",
                                    "/",    "\xff", "\x20", "</script>"};
    for (const auto& special : specials) {
      for (std::size_t position = 0; position <= 20; ++position) {
        std::string text(20, 'a');
        text.insert(position, special);
        CAPTURE(text);
        cf::request_metadata m;
        m.user_agent = text;
        const std::string json = cf::serialize_metadata(m);
        CHECK(json.find("\"user_agent\":" + serde_escape(text) + ",") != std::string::npos);
      }
    }
  }

  TEST_CASE("golden documents parse back into the same metadata") {
    CHECK(cf::parse_metadata_header(read_fixture("metadata-default.json")) ==
          cf::request_metadata{});
    CHECK(cf::parse_metadata_header(read_fixture("metadata-full.json")) == full_metadata());
    CHECK(cf::parse_metadata_header(read_fixture("metadata-cloudrun.json")) ==
          cloud_run_metadata());
  }

  TEST_CASE("every serde deserialisation case has the same outcome, except the documented ones") {
    const std::string file = read_fixture("deserialize-cases.json");
    const auto cases = boost::json::parse(file).as_array();
    REQUIRE(cases.size() == 66);
    auto differences = deliberate_differences();
    std::size_t ok_cases = 0;
    std::size_t error_cases = 0;
    for (const auto& entry : cases) {
      const auto& object = entry.as_object();
      const std::string name(object.at("name").as_string());
      const std::string input(object.at("input").as_string());
      const bool serde_ok = object.at("result").as_object().contains("ok");
      CAPTURE(name);
      CAPTURE(input);
      const auto parsed = cf::parse_metadata_header(input);
      if (const auto difference = differences.find(name); difference != differences.end()) {
        CHECK_FALSE(serde_ok);  // the table lists only cases serde rejects
        REQUIRE(parsed.has_value());
        CHECK(*parsed == difference->second());
        differences.erase(difference);
        continue;
      }
      if (serde_ok) {
        ++ok_cases;
        REQUIRE(parsed.has_value());
        CHECK(cf::serialize_metadata(*parsed) == ok_bytes(file, name));
      } else {
        ++error_cases;
        CHECK_FALSE(parsed.has_value());
      }
    }
    CHECK(differences.empty());  // every listed difference names a real case
    CHECK(ok_cases == 29);
    CHECK(error_cases == 18);  // 37 serde errors minus the 19 deliberate differences
  }
}
