// resolve_request_metadata and the context members: the plain-header fallback, the platform
// defaults, raw_url, the shared secret, and caching per request.

#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "containerflare/context.hpp"
#include "containerflare/log.hpp"
#include "containerflare/metadata.hpp"
#include "containerflare/platform.hpp"
#include "metadata_test_support.hpp"

namespace cf = containerflare;
using metadata_test::build_request;

namespace {

cf::runtime_environment environment(std::map<std::string, std::string, std::less<>> vars) {
  return cf::runtime_environment::from_environment(cf::map_env(std::move(vars)));
}

// Collects warning lines while alive.
struct log_capture {
  std::vector<std::string> lines;
  log_capture() {
    cf::log::set_sink([this](std::string_view line) { lines.emplace_back(line); });
  }
  ~log_capture() { cf::log::set_sink(nullptr); }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;
};

// A clock the test moves by hand.
struct manual_clock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
  cf::rate_limiter::clock_function function() {
    return [this] { return now; };
  }
};

}  // namespace

TEST_SUITE("metadata") {
  // --- the Rust crate's own tests, ported ---

  TEST_CASE("Rust metadata_defaults_to_headers: plain headers on Cloudflare") {
    cf::request req;
    build_request(req, "GET", "https://example.com/foo?bar=baz",
                  {{"cf-ray", "ray123"},
                   {"cf-colo", "iad"},
                   {"cf-ipcountry", "US"},
                   {"cf-region", "na"},
                   {"cf-connecting-ip", "203.0.113.1"}});
    const auto m = cf::resolve_request_metadata(req, environment({{"CF_CONTAINER_PORT", "8080"}}));
    CHECK(m.request_id == "ray123");
    CHECK(m.colo == "iad");
    CHECK(m.country == "US");
    CHECK(m.region == "na");
    CHECK(m.client_ip == "203.0.113.1");
    CHECK(m.path == "/foo?bar=baz");
    CHECK(m.platform == cf::metadata_platform{cf::cloudflare_platform{}});
    CHECK(m.scheme == "https");  // from the absolute-form target
    CHECK(m.raw_url == "https://example.com/foo?bar=baz");
  }

  TEST_CASE("Rust metadata_header_overrides_values: the header round trip") {
    cf::request_metadata sent;
    sent.request_id = "abc";
    sent.colo = "sfo";
    sent.region = "us-west";
    sent.country = "US";
    sent.client_ip = "203.0.113.9";
    sent.host = "example.com";
    sent.scheme = "https";
    sent.worker_name = "test-worker";
    sent.method = "POST";
    sent.path = "/foo?bar=baz";
    sent.raw_url = "https://example.com/foo?bar=baz";
    const std::string header = cf::serialize_metadata(sent);

    cf::request req;
    build_request(req, "POST", "/", {{"x-containerflare-metadata", header}, {"cf-ray", "ignored"}});
    const auto m = cf::resolve_request_metadata(req, environment({{"CF_CONTAINER_PORT", "8080"}}));
    CHECK(m.request_id == sent.request_id);
    CHECK(m.colo == sent.colo);
    CHECK(m.worker_name == sent.worker_name);
    CHECK(m.path == sent.path);
    CHECK(m.raw_url == sent.raw_url);
    CHECK(m.platform == cf::metadata_platform{cf::cloudflare_platform{"test-worker"}});
    // Nothing else changed on the way.
    auto expected = sent;
    expected.platform = cf::cloudflare_platform{"test-worker"};
    CHECK(m == expected);
  }

  TEST_CASE("Rust cloud_run_metadata_from_headers: Cloud Run fallbacks and TRACE/SPAN;o=1") {
    const auto env = environment({{"K_SERVICE", "svc"},
                                  {"K_REVISION", "rev"},
                                  {"K_CONFIGURATION", "cfg"},
                                  {"GOOGLE_CLOUD_PROJECT", "proj-123"},
                                  {"GOOGLE_CLOUD_REGION", "us-central1"}});
    cf::request req;
    build_request(req, "GET", "http://127.0.0.1/hello",
                  {{"x-forwarded-for", "198.51.100.1"},
                   {"x-forwarded-host", "example.run.app"},
                   {"x-forwarded-proto", "https"},
                   {"x-cloud-trace-context", "105445aa7843bc8bf206b120001000/123;o=1"},
                   {"user-agent", "test-agent"},
                   {"accept-language", "en-US"},
                   {"sec-ch-ua", "\"Chromium\";v=\"1\""}});
    const auto m = cf::resolve_request_metadata(req, env);
    CHECK(m.cloud_run_service == "svc");
    CHECK(m.cloud_run_revision == "rev");
    CHECK(m.cloud_run_configuration == "cfg");
    CHECK(m.project_id == "proj-123");
    CHECK(m.cloud_run_region == "us-central1");
    CHECK(m.region == "us-central1");
    CHECK(m.scheme == "https");
    CHECK(m.host == "example.run.app");
    CHECK(m.client_ip == "198.51.100.1");
    CHECK(m.worker_name == "svc");
    CHECK(m.user_agent == "test-agent");
    CHECK(m.accept_language == "en-US");
    REQUIRE(m.client_hints.has_value());
    CHECK(m.client_hints->ua == "\"Chromium\";v=\"1\"");
    CHECK(m.request_id == "105445aa7843bc8bf206b120001000");
    REQUIRE(m.trace_context.has_value());
    CHECK(m.trace_context->trace_id == "105445aa7843bc8bf206b120001000");
    CHECK(m.trace_context->span_id == "123");
    CHECK(m.trace_context->sampled == true);
    CHECK(m.trace_context->project_id == "proj-123");
    CHECK(m.trace_context->raw == "105445aa7843bc8bf206b120001000/123;o=1");
    CHECK(m.platform == cf::metadata_platform{cf::cloud_run_platform{"svc", "rev", "cfg",
                                                                     "proj-123", "us-central1"}});
    // An absolute-form target is already a full URL, so it is kept (as the Rust crate does).
    CHECK(m.raw_url == "http://127.0.0.1/hello");
  }

  TEST_CASE(
      "Cloud Run: the trace id does not replace a request id, and the header's platform is "
      "completed") {
    const auto env = environment({{"K_SERVICE", "svc"}});
    cf::request req;
    build_request(
        req, "GET", "/",
        {{"x-containerflare-metadata",
          R"({"request_id":"given","platform":{"platform":"cloud_run","revision":"r9"}})"},
         {"x-cloud-trace-context", "T/S;o=0"}});
    const auto m = cf::resolve_request_metadata(req, env);
    CHECK(m.request_id == "given");
    CHECK(m.trace_context == cf::trace_context_info{"T", "S", false, std::nullopt, "T/S;o=0"});
    CHECK(m.platform == cf::metadata_platform{cf::cloud_run_platform{"svc", "r9", std::nullopt,
                                                                     std::nullopt, std::nullopt}});
  }

  TEST_CASE("Cloud Run: region and project number from a run.app host") {
    const auto env = environment({{"K_SERVICE", "svc"}});
    {
      cf::request req;
      build_request(req, "GET", "/", {{"host", "svc-123456789.europe-west3.run.app"}});
      const auto m = cf::resolve_request_metadata(req, env);
      CHECK(m.cloud_run_region == "europe-west3");
      CHECK(m.region == "europe-west3");
      CHECK(m.project_id == "123456789");
    }
    {
      cf::request req;
      build_request(req, "GET", "/", {{"host", "svc-abcdefghij-uc.a.run.app"}});
      const auto m = cf::resolve_request_metadata(req, env);
      CHECK(m.cloud_run_region == "us-central1");
      CHECK_FALSE(m.project_id.has_value());
    }
    {
      cf::request req;  // not a Cloud Run host: no guess
      build_request(req, "GET", "/", {{"host", "app.example.com"}});
      const auto m = cf::resolve_request_metadata(req, env);
      CHECK_FALSE(m.cloud_run_region.has_value());
      CHECK_FALSE(m.region.has_value());
      CHECK_FALSE(m.project_id.has_value());
    }
  }

  TEST_CASE("x-cloud-trace-context forms") {
    CHECK(cf::parse_cloud_trace_context("TRACE/SPAN;o=1", "p") ==
          cf::trace_context_info{"TRACE", "SPAN", true, "p", "TRACE/SPAN;o=1"});
    CHECK(cf::parse_cloud_trace_context("TRACE/SPAN;o=0", std::nullopt) ==
          cf::trace_context_info{"TRACE", "SPAN", false, std::nullopt, "TRACE/SPAN;o=0"});
    CHECK(cf::parse_cloud_trace_context("TRACE/SPAN", std::nullopt) ==
          cf::trace_context_info{"TRACE", "SPAN", std::nullopt, std::nullopt, "TRACE/SPAN"});
    CHECK(cf::parse_cloud_trace_context("TRACE", std::nullopt) ==
          cf::trace_context_info{"TRACE", std::nullopt, std::nullopt, std::nullopt, "TRACE"});
    CHECK(cf::parse_cloud_trace_context("/SPAN;o=2", std::nullopt) ==
          cf::trace_context_info{std::nullopt, "SPAN", std::nullopt, std::nullopt, "/SPAN;o=2"});
    CHECK(cf::parse_cloud_trace_context("T/S;x=1;o=1", std::nullopt).sampled == true);
  }

  // --- plain-header fallback ---

  TEST_CASE("metadata_from_headers reads every plain header of PROTOCOL.md section 1") {
    cf::request req;
    build_request(req, "PATCH", "/items/7?x=1",
                  {{"CF-Ray", "ray-1"},
                   {"cf-ipcountry", "DE"},
                   {"X-Forwarded-For", " 10.0.0.2 , 8.8.4.4,,10.0.0.3 "},
                   {"Host", "origin.example"},
                   {"X-Forwarded-Proto", "https"},
                   {"Forwarded", "for=8.8.4.4;proto=https"},
                   {"User-Agent", "curl/8"},
                   {"Accept", "*/*"},
                   {"Accept-Language", "de"},
                   {"Accept-Encoding", "gzip"},
                   {"Sec-GPC", "1"},
                   {"Sec-CH-UA", "ua"},
                   {"Sec-CH-UA-Mobile", "?0"},
                   {"Sec-CH-UA-Platform", "\"Linux\""},
                   {"Sec-CH-UA-Arch", "\"x86\""},
                   {"Sec-CH-UA-Platform-Version", "\"6\""},
                   {"Sec-CH-UA-Model", "\"\""},
                   {"Sec-CH-UA-Bitness", "\"64\""},
                   {"Sec-CH-UA-WoW64", "?0"},
                   {"Sec-CH-UA-Full-Version-List", "full"}});
    const auto m = cf::metadata_from_headers(req);
    cf::request_metadata expected;
    expected.request_id = "ray-1";
    expected.country = "DE";
    expected.client_ip = "8.8.4.4";
    expected.host = "origin.example";
    expected.scheme = "https";
    expected.forwarded_proto = "https";
    expected.forwarded = "for=8.8.4.4;proto=https";
    expected.forwarded_for = {"10.0.0.2", "8.8.4.4", "10.0.0.3"};
    expected.user_agent = "curl/8";
    expected.accept = "*/*";
    expected.accept_language = "de";
    expected.accept_encoding = "gzip";
    expected.sec_gpc = "1";
    expected.client_hints = cf::client_hints_info{"ua",   "?0",     "\"Linux\"", "\"x86\"", "\"6\"",
                                                  "\"\"", "\"64\"", "?0",        "full"};
    expected.method = "PATCH";
    expected.path = "/items/7?x=1";
    expected.raw_url = "/items/7?x=1";
    CHECK(m == expected);
  }

  TEST_CASE(
      "client_ip: cf-connecting-ip, else the first public x-forwarded-for address, else its first "
      "entry") {
    const auto client_ip =
        [](std::initializer_list<std::pair<std::string_view, std::string_view>> headers) {
          cf::request req;
          build_request(req, "GET", "/", headers);
          return cf::metadata_from_headers(req).client_ip;
        };
    CHECK(client_ip({{"cf-connecting-ip", "1.1.1.1"}, {"x-forwarded-for", "8.8.8.8"}}) ==
          "1.1.1.1");
    CHECK(client_ip({{"x-forwarded-for", "10.0.0.1, 192.168.1.1, 8.8.8.8, 9.9.9.9"}}) == "8.8.8.8");
    CHECK(client_ip({{"x-forwarded-for", "unknown, 172.16.0.1, 2001:4860:4860::8888"}}) ==
          "2001:4860:4860::8888");
    CHECK(client_ip({{"x-forwarded-for", "10.0.0.1, 127.0.0.1, 203.0.113.4"}}) == "10.0.0.1");
    CHECK(client_ip({{"x-forwarded-for", ""}}) == std::nullopt);
    CHECK(client_ip({}) == std::nullopt);
  }

  TEST_CASE("is_public_ip_address follows the Rust crate's ranges") {
    for (const char* address : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.64.0.1",
                                "2001:4860:4860::8888", "2606:4700::1111"}) {
      CAPTURE(address);
      CHECK(cf::is_public_ip_address(address));
    }
    for (const char* address : {"10.1.2.3",        "172.16.0.1", "172.31.255.255",
                                "192.168.0.1",     "127.0.0.1",  "169.254.1.1",
                                "255.255.255.255", "192.0.2.1",  "198.51.100.1",
                                "203.0.113.1",     "0.0.0.0",    "224.0.0.1",
                                "239.255.255.255", "::1",        "::",
                                "ff02::1",         "fc00::1",    "fd12:3456::1",
                                "fe80::1",         "not-an-ip",  "",
                                "1.2.3",           "1.2.3.4:80", "01.2.3.4"}) {
      CAPTURE(address);
      CHECK_FALSE(cf::is_public_ip_address(address));
    }
  }

  TEST_CASE("host prefers x-forwarded-host; method and path come from the request line") {
    cf::request req;
    build_request(req, "DELETE", "/a?b=c",
                  {{"host", "inner"}, {"x-forwarded-host", "outer.example"}});
    const auto m = cf::metadata_from_headers(req);
    CHECK(m.host == "outer.example");
    CHECK(m.method == "DELETE");
    CHECK(m.path == "/a?b=c");
    CHECK_FALSE(m.scheme.has_value());
  }

  TEST_CASE("invalid metadata JSON falls back to the plain headers") {
    cf::request req;
    build_request(req, "GET", "/p",
                  {{"x-containerflare-metadata", R"({"colo":"A",})"}, {"cf-ray", "r"}});
    const auto m = cf::resolve_request_metadata(req, cf::runtime_environment{});
    CHECK(m.request_id == "r");
    CHECK_FALSE(m.colo.has_value());
    CHECK(m.path == "/p");
  }

  TEST_CASE("raw UTF-8 in the header is accepted (the Rust crate drops the header)") {
    cf::request req;
    build_request(req, "GET", "/",
                  {{"x-containerflare-metadata", "{\"region\":\"Baden-W\xc3\xbcrttemberg\"}"},
                   {"cf-region", "fallback"}});
    const auto m = cf::resolve_request_metadata(req, cf::runtime_environment{});
    CHECK(m.region == "Baden-W\xc3\xbcrttemberg");
  }

  // --- platform defaults ---

  TEST_CASE("Cloudflare: worker_name from CONTAINERFLARE_WORKER only when missing") {
    const auto env = environment({{"CONTAINERFLARE_WORKER", "env-worker"}});
    {
      cf::request req;
      build_request(req, "GET", "/", {});
      const auto m = cf::resolve_request_metadata(req, env);
      CHECK(m.worker_name == "env-worker");
      CHECK(m.platform == cf::metadata_platform{cf::cloudflare_platform{"env-worker"}});
    }
    {
      cf::request req;
      build_request(req, "GET", "/",
                    {{"x-containerflare-metadata",
                      R"({"worker_name":"header-worker","platform":{"platform":"cloudflare"}})"}});
      const auto m = cf::resolve_request_metadata(req, env);
      CHECK(m.worker_name == "header-worker");
      CHECK(m.platform == cf::metadata_platform{cf::cloudflare_platform{"header-worker"}});
    }
  }

  TEST_CASE("generic platform: no defaults are applied") {
    cf::request req;
    build_request(req, "GET", "/", {{"x-containerflare-metadata", R"({"colo":"A"})"}});
    auto expected = cf::request_metadata{};
    expected.colo = "A";
    CHECK(cf::resolve_request_metadata(req, cf::runtime_environment{}) == expected);
  }

  TEST_CASE("raw_url is rebuilt from scheme + host + path when missing or relative") {
    const auto resolve = [](std::string header) {
      cf::request req;
      build_request(req, "GET", "/", {{"x-containerflare-metadata", header}});
      return cf::resolve_request_metadata(req, cf::runtime_environment{}).raw_url;
    };
    CHECK(resolve(R"({"scheme":"https","host":"a.example","path":"/x?y=1"})") ==
          "https://a.example/x?y=1");
    CHECK(resolve(R"({"scheme":"https","host":"a.example","path":"/x","raw_url":"/x"})") ==
          "https://a.example/x");
    CHECK(resolve(R"({"scheme":"https","host":"a.example","path":"/x","raw_url":"a.example/x"})") ==
          "https://a.example/x");
    CHECK(resolve(R"({"scheme":"https","host":"a.example","raw_url":"http://other/y"})") ==
          "http://other/y");
    CHECK(resolve(R"({"host":"a.example","raw_url":"/x"})") == "/x");
    CHECK(resolve(R"({"scheme":"https"})") == std::nullopt);
  }

  // --- shared secret ---

  TEST_CASE("shared secret: the header is trusted only with a matching x-containerflare-auth") {
    auto env = environment({{"CONTAINERFLARE_SHARED_SECRET", "s3cret"}});
    manual_clock clock;
    env.forgery_warning_limiter().set_clock(clock.function());
    const std::string header = R"({"colo":"FROM-HEADER"})";
    const auto colo =
        [&](std::initializer_list<std::pair<std::string_view, std::string_view>> extra) {
          cf::request req;
          build_request(req, "GET", "/",
                        {{"x-containerflare-metadata", header}, {"cf-colo", "FROM-PLAIN"}});
          for (const auto& [name, value] : extra) req.mutable_headers().add(name, value);
          return cf::resolve_request_metadata(req, env).colo;
        };
    log_capture logs;
    CHECK(colo({{"x-containerflare-auth", "s3cret"}}) == "FROM-HEADER");
    CHECK(logs.lines.empty());
    CHECK(colo({{"x-containerflare-auth", "s3creT"}}) == "FROM-PLAIN");
    CHECK(logs.lines.size() == 1);
    CHECK(logs.lines.at(0).find("CONTAINERFLARE_SHARED_SECRET") != std::string::npos);
    CHECK(colo({}) == "FROM-PLAIN");
    CHECK(colo({{"x-containerflare-auth", "s3cret-and-more"}}) == "FROM-PLAIN");
    CHECK(colo({{"x-containerflare-auth", ""}}) == "FROM-PLAIN");
    CHECK(logs.lines.size() == 1);  // the same minute: no more warnings

    clock.now += std::chrono::seconds(59);
    CHECK(colo({}) == "FROM-PLAIN");
    CHECK(logs.lines.size() == 1);
    clock.now += std::chrono::seconds(1);
    CHECK(colo({}) == "FROM-PLAIN");
    CHECK(logs.lines.size() == 2);
    clock.now += std::chrono::seconds(30);
    CHECK(colo({}) == "FROM-PLAIN");
    CHECK(logs.lines.size() == 2);
  }

  TEST_CASE("shared secret: requests without the metadata header are not warned about") {
    const auto env = environment({{"CONTAINERFLARE_SHARED_SECRET", "s3cret"}});
    log_capture logs;
    cf::request req;
    build_request(req, "GET", "/", {{"host", "ping"}});
    CHECK(cf::resolve_request_metadata(req, env).host == "ping");
    CHECK(logs.lines.empty());
  }

  TEST_CASE("without a shared secret the header is trusted without x-containerflare-auth") {
    cf::request req;
    build_request(req, "GET", "/", {{"x-containerflare-metadata", R"({"colo":"H"})"}});
    CHECK(cf::resolve_request_metadata(req, cf::runtime_environment{}).colo == "H");
  }

  // --- context ---

  TEST_CASE("context::metadata parses once per request and caches the result") {
    asio::io_context io;
    const auto env = environment({{"CONTAINERFLARE_WORKER", "w"}});
    cf::runtime_services services;
    services.environment = &env;
    cf::request req;
    build_request(req, "GET", "/", {{"x-containerflare-metadata", R"({"colo":"SJC"})"}});
    cf::context ctx(req, services, io.get_executor());

    auto first = asio::co_spawn(
        io,
        [context = &ctx]() -> cf::task<const cf::request_metadata*> {
          co_return &(co_await context->metadata()).get();
        },
        asio::use_future);
    io.run();
    const cf::request_metadata* awaited = first.get();
    CHECK(awaited->colo == "SJC");
    CHECK(awaited->worker_name == "w");

    // Later changes to the request are not seen: the metadata was cached.
    req.mutable_headers().clear();
    build_request(req, "GET", "/", {{"x-containerflare-metadata", R"({"colo":"OTHER"})"}});
    CHECK(&ctx.metadata_now() == awaited);
    CHECK(ctx.metadata_now().colo == "SJC");
  }

  TEST_CASE("context without an environment behaves as a generic platform") {
    asio::io_context io;
    cf::request req;
    build_request(req, "GET", "/x", {{"cf-ray", "r1"}});
    cf::context ctx(req, cf::runtime_services{}, io.get_executor());
    const auto& m = ctx.metadata_now();
    CHECK(m.request_id == "r1");
    CHECK_FALSE(m.platform.has_value());
    CHECK(m.path == "/x");
  }
}
