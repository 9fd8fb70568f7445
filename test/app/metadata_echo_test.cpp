// The example's GET / from outside: a full metadata header (every v0.2 field plus the extension
// fields) comes back byte for byte, the plain headers are used without it, and no header, however
// bad, makes the app answer an error.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "app/app_process.hpp"

namespace json = boost::json;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The Rust crate's serde output for a fully set RequestMetadata (see test/data/rust-serde).
std::string full_fixture() {
  const char* dir = std::getenv("CF_RUST_SERDE_DIR");
  REQUIRE(dir != nullptr);
  return read_file(std::string(dir) + "/metadata-full.json");
}

// The extension fields our Worker adds, in the order we serialise them.
const std::string extensions =
    R"("region_code":"BW","city":"Zürich","continent":"EU","timezone":"Europe/Berlin",)"
    R"("asn":13335,"as_organization":"Cloudflare, Inc.","latitude":"48.7758",)"
    R"("longitude":"9.1829","postal_code":"70173","http_protocol":"HTTP/2","tls_version":"TLSv1.3")";

std::string with_extensions(std::string metadata) {
  metadata.pop_back();  // the closing brace
  return metadata + "," + extensions + "}";
}

// Non-ASCII as \\uXXXX escapes (surrogate pairs beyond the BMP), as our Worker sends it.
std::string escape_non_ascii(const std::string& utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    const int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    std::uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    i += static_cast<std::size_t>(len);
    auto emit = [&](std::uint32_t unit) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04x", unit);
      out += buf;
    };
    if (cp >= 0x10000) {
      cp -= 0x10000;
      emit(0xD800 + (cp >> 10));
      emit(0xDC00 + (cp & 0x3FF));
    } else {
      emit(cp);
    }
  }
  return out;
}

std::string echo_of(const std::string& metadata_json) {
  return R"(["it works!",)" + metadata_json + "]";
}

}  // namespace

TEST_CASE("a full metadata header is echoed byte for byte, raw UTF-8 or escaped") {
  apptest::app_process app(apptest::env_list{{"CF_CMD_ENDPOINT", "disabled"}});
  const std::string expected = with_extensions(full_fixture());
  REQUIRE(expected.find("Baden-Württemberg") != std::string::npos);

  SUBCASE("raw UTF-8") {
    const auto r = app.request("GET", "/", {}, "x-containerflare-metadata: " + expected + "\r\n");
    CHECK(r.status == 200);
    CHECK(r.header("content-type") == "application/json");
    CHECK(r.body == echo_of(expected));
  }
  SUBCASE("\\u escapes, as the Worker sends it") {
    const std::string escaped = escape_non_ascii(expected);
    REQUIRE(escaped.find("Baden-W\\u00fcrttemberg") != std::string::npos);
    const auto r = app.request("GET", "/", {}, "x-containerflare-metadata: " + escaped + "\r\n");
    CHECK(r.status == 200);
    CHECK(r.body == echo_of(expected));
  }
}

TEST_CASE("without the header the plain cf-* and x-forwarded-* headers are used") {
  apptest::app_process app(
      apptest::env_list{{"CF_CMD_ENDPOINT", "disabled"}, {"CONTAINERFLARE_WORKER", "edge"}});
  const auto r = app.request("GET", "/?q=1", {},
                             "cf-ray: 8f3a-AMS\r\n"
                             "cf-ipcountry: NL\r\n"
                             "x-forwarded-for: 10.0.0.1, 93.184.216.34\r\n"
                             "x-forwarded-host: example.org\r\n"
                             "x-forwarded-proto: https\r\n"
                             "user-agent: probe/1.0\r\n"
                             "accept-language: nl\r\n");
  REQUIRE(r.status == 200);
  const auto body = json::parse(r.body).as_array();
  REQUIRE(body.size() == 2);
  CHECK(body[0] == "it works!");
  const auto& m = body[1].as_object();
  CHECK(m.at("request_id") == "8f3a-AMS");
  CHECK(m.at("country") == "NL");
  CHECK(m.at("client_ip") == "93.184.216.34");  // the first public address
  CHECK(m.at("forwarded_for") == json::array{"10.0.0.1", "93.184.216.34"});
  CHECK(m.at("host") == "example.org");
  CHECK(m.at("scheme") == "https");
  CHECK(m.at("user_agent") == "probe/1.0");
  CHECK(m.at("accept_language") == "nl");
  CHECK(m.at("method") == "GET");
  CHECK(m.at("path") == "/?q=1");
  CHECK(m.at("raw_url") == "https://example.org/?q=1");
  CHECK(m.at("worker_name") == "edge");
}

TEST_CASE("a bad metadata header never makes the app answer an error") {
  apptest::app_process app(apptest::env_list{{"CF_CMD_ENDPOINT", "disabled"}});
  const std::vector<std::string> bad = {
      "{not json",
      "[]",
      "null",
      "\"a string\"",
      R"({"colo":5,"country":"DE"})",
      R"({"forwarded_for":"a","country":"DE"})",
      R"({"trace_context":{"sampled":"yes"},"country":"DE"})",
      R"({"platform":{"platform":"aws_lambda"},"country":"DE"})",
      R"({"colo":"A","colo":"B"})",
      std::string(2000, '{'),
      "\xff\xfe\x80 not UTF-8",
  };
  for (const auto& value : bad) {
    CAPTURE(value.substr(0, 60));
    const auto r = app.request("GET", "/", {}, "x-containerflare-metadata: " + value + "\r\n");
    CHECK(r.status == 200);
    const auto body = json::parse(r.body).as_array();
    CHECK(body[0] == "it works!");
    CHECK(body[1].is_object());
  }
  // A wrong-typed field is dropped alone: the rest of the header still counts.
  const auto r =
      app.request("GET", "/", {}, "x-containerflare-metadata: {\"colo\":5,\"country\":\"DE\"}\r\n");
  const auto m = json::parse(r.body).as_array()[1].as_object();
  CHECK(m.at("colo").is_null());
  CHECK(m.at("country") == "DE");
}
