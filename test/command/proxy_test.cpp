#include "containerflare/command/proxy.hpp"

#include <doctest/doctest.h>

namespace cf = containerflare;

TEST_CASE("proxy URLs parse") {
  auto p = cf::http_proxy::try_parse("http://proxy.local:3128/");
  REQUIRE(p);
  CHECK(p->host == "proxy.local");
  CHECK(p->port == 3128);
  CHECK(p->authorization.empty());

  p = cf::http_proxy::try_parse("127.0.0.1:8080");
  REQUIRE(p);
  CHECK(p->host == "127.0.0.1");
  CHECK(p->port == 8080);

  p = cf::http_proxy::try_parse("HTTP://proxy");
  REQUIRE(p);
  CHECK(p->port == 80);

  // user:password, percent-decoded, as Basic credentials ("Aladdin:open sesame").
  p = cf::http_proxy::try_parse("http://Aladdin:open%20sesame@proxy:1");
  REQUIRE(p);
  CHECK(p->authorization == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");

  for (const char* bad :
       {"", "https://proxy:443", "socks5://p:1", "http://p:0", "http://p/x", "http://a:%zz@p"}) {
    CAPTURE(bad);
    std::string problem;
    CHECK_FALSE(cf::http_proxy::try_parse(bad, &problem));
    CHECK_FALSE(problem.empty());
  }
}

TEST_CASE("proxy settings come from the environment, lowercase first") {
  auto settings = cf::proxy_settings::from_environment(
      cf::map_env({{"http_proxy", "http://lower:1"}, {"HTTP_PROXY", "http://upper:2"}}));
  REQUIRE(settings.proxy);
  CHECK(settings.proxy->host == "lower");

  settings = cf::proxy_settings::from_environment(cf::map_env({{"HTTP_PROXY", "upper:2"}}));
  REQUIRE(settings.proxy);
  CHECK(settings.proxy->host == "upper");

  try {
    (void)cf::proxy_settings::from_environment(cf::map_env({{"http_proxy", "https://x:1"}}));
    FAIL("no error for an https proxy");
  } catch (const cf::config_error& e) {
    CHECK(e.variable == "http_proxy");
  }
}

TEST_CASE("no_proxy matching") {
  struct row {
    const char* no_proxy;
    const char* host;
    std::uint16_t port;
    bool bypass;
  };
  const row table[] = {
      {"", "example.com", 80, false},
      {"*", "anything", 80, true},
      {"example.com", "example.com", 80, true},
      {"example.com", "EXAMPLE.com", 80, true},
      {"example.com", "api.example.com", 80, true},
      {".example.com", "api.example.com", 80, true},
      {"*.example.com", "api.example.com", 80, true},
      {".example.com", "example.com", 80, true},
      {"example.com", "notexample.com", 80, false},
      {"example.com", "example.com.evil", 80, false},
      {"a.com, b.com ,c.com", "b.com", 80, true},
      {"127.0.0.1", "127.0.0.1", 9000, true},
      {"127.0.0.1:9000", "127.0.0.1", 9000, true},
      {"127.0.0.1:9000", "127.0.0.1", 9001, false},
      {"::1", "::1", 80, true},
      {"[::1]:81", "::1", 81, true},
      {"[::1]:81", "::1", 80, false},
      {"localhost", "containerflare.internal", 80, false},
  };
  for (const auto& r : table) {
    CAPTURE(r.no_proxy);
    CAPTURE(r.host);
    CHECK(cf::no_proxy_matches(r.no_proxy, r.host, r.port) == r.bypass);
  }
  cf::proxy_settings settings;
  CHECK_FALSE(settings.proxy_for("h", 80));
  settings.proxy = cf::http_proxy{"p", 1, ""};
  settings.no_proxy = "internal";
  CHECK(settings.proxy_for("h", 80) == settings.proxy);
  CHECK_FALSE(settings.proxy_for("x.internal", 80));
}
