// Platform detection, container info, the shared secret's comparison and the warning limiter.

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "containerflare/platform.hpp"

namespace cf = containerflare;

namespace {

cf::runtime_environment environment(std::map<std::string, std::string, std::less<>> vars) {
  return cf::runtime_environment::from_environment(cf::map_env(std::move(vars)));
}

}  // namespace

TEST_SUITE("metadata") {
  TEST_CASE("no platform variables: generic") {
    const auto env = environment({{"PATH", "/bin"}, {"PORT", "8080"}, {"REGION", "x"}});
    CHECK(env.platform() == cf::platform_kind::generic);
    CHECK_FALSE(env.container().any());
    CHECK_FALSE(env.shared_secret().has_value());
    CHECK(cf::runtime_environment{}.platform() == cf::platform_kind::generic);
  }

  TEST_CASE("each Cloudflare marker alone selects Cloudflare") {
    for (const char* name :
         {"CF_CONTAINER_PORT", "CF_CONTAINER_ADDR", "CF_CMD_ENDPOINT", "CONTAINERFLARE_WORKER",
          "CLOUDFLARE_APPLICATION_ID", "CLOUDFLARE_DURABLE_OBJECT_ID", "CLOUDFLARE_DEPLOYMENT_ID",
          "CLOUDFLARE_COUNTRY_A2", "CLOUDFLARE_LOCATION", "CLOUDFLARE_REGION", "CLOUDFLARE_NODE_ID",
          "CLOUDFLARE_PLACEMENT_ID"}) {
      CAPTURE(name);
      const auto env = environment({{name, "v"}});
      CHECK(env.platform() == cf::platform_kind::cloudflare);
      CHECK(env.is_cloudflare());
      CHECK_FALSE(env.is_cloud_run());
    }
  }

  TEST_CASE("each Cloud Run variable alone selects Cloud Run") {
    for (const char* name : {"K_SERVICE", "K_REVISION", "K_CONFIGURATION", "GOOGLE_CLOUD_PROJECT",
                             "GCLOUD_PROJECT", "GOOGLE_CLOUD_REGION"}) {
      CAPTURE(name);
      CHECK(environment({{name, "v"}}).platform() == cf::platform_kind::cloud_run);
    }
  }

  TEST_CASE(
      "Cloud Run's own variables win over the Dockerfile's CF_CONTAINER_ADDR (the Rust crate says "
      "Cloudflare)") {
    const auto env = environment({{"CF_CONTAINER_ADDR", "0.0.0.0:8080"},
                                  {"CF_CONTAINER_PORT", "8080"},
                                  {"K_SERVICE", "svc"}});
    CHECK(env.platform() == cf::platform_kind::cloud_run);
    CHECK(env.cloud_run_service() == "svc");
    CHECK(environment({{"CF_CMD_ENDPOINT", "stdio"}, {"K_REVISION", "svc-1"}}).platform() ==
          cf::platform_kind::cloud_run);
  }

  TEST_CASE("Cloudflare markers win over project and region variables alone") {
    // GOOGLE_CLOUD_PROJECT is often set on a developer machine; Cloud Run does not inject it.
    const auto env = environment({{"CF_CONTAINER_PORT", "8080"}, {"GOOGLE_CLOUD_PROJECT", "p"}});
    CHECK(env.platform() == cf::platform_kind::cloudflare);
  }

  TEST_CASE("empty values count as unset") {
    CHECK(environment({{"K_SERVICE", ""}, {"CF_CONTAINER_PORT", ""}}).platform() ==
          cf::platform_kind::generic);
    CHECK(environment({{"K_SERVICE", ""}, {"CF_CONTAINER_PORT", "8080"}}).platform() ==
          cf::platform_kind::cloudflare);
    CHECK_FALSE(environment({{"CONTAINERFLARE_WORKER", ""}}).worker_name().has_value());
  }

  TEST_CASE("Cloud Run values and their fallbacks") {
    const auto env = environment({{"K_SERVICE", "svc"},
                                  {"K_REVISION", "svc-00002"},
                                  {"K_CONFIGURATION", "cfg"},
                                  {"GCLOUD_PROJECT", "legacy-project"},
                                  {"REGION", "europe-west3"}});
    CHECK(env.cloud_run_revision() == "svc-00002");
    CHECK(env.cloud_run_configuration() == "cfg");
    CHECK(env.cloud_run_project() == "legacy-project");
    CHECK(env.cloud_run_region() == "europe-west3");
    const auto preferred = environment({{"K_SERVICE", "svc"},
                                        {"GOOGLE_CLOUD_PROJECT", "p"},
                                        {"GCLOUD_PROJECT", "legacy"},
                                        {"GOOGLE_CLOUD_REGION", "us-central1"},
                                        {"REGION", "other"}});
    CHECK(preferred.cloud_run_project() == "p");
    CHECK(preferred.cloud_run_region() == "us-central1");
  }

  TEST_CASE("container info from the CLOUDFLARE_* variables") {
    const auto env = environment({{"CLOUDFLARE_APPLICATION_ID", "app"},
                                  {"CLOUDFLARE_DURABLE_OBJECT_ID", "do"},
                                  {"CLOUDFLARE_DEPLOYMENT_ID", "dep"},
                                  {"CLOUDFLARE_COUNTRY_A2", "DE"},
                                  {"CLOUDFLARE_LOCATION", "FRA"},
                                  {"CLOUDFLARE_REGION", "WEUR"},
                                  {"CLOUDFLARE_NODE_ID", "node"},
                                  {"CLOUDFLARE_PLACEMENT_ID", "place"},
                                  {"CONTAINERFLARE_WORKER", "my-worker"}});
    const cf::container_info expected{"app", "do", "dep", "DE", "FRA", "WEUR", "node", "place"};
    CHECK(env.container() == expected);
    CHECK(env.container().any());
    CHECK(env.worker_name() == "my-worker");
    CHECK(env.platform() == cf::platform_kind::cloudflare);
  }

  TEST_CASE("CONTAINERFLARE_SHARED_SECRET: set, unset, and empty (a startup error)") {
    const auto env = environment({{"CONTAINERFLARE_SHARED_SECRET", "s3cret"}});
    CHECK(env.shared_secret() == "s3cret");
    CHECK(env.metadata_trusted(std::string_view("s3cret")));
    CHECK_FALSE(env.metadata_trusted(std::string_view("s3cre")));
    CHECK_FALSE(env.metadata_trusted(std::nullopt));
    CHECK(cf::runtime_environment{}.metadata_trusted(std::nullopt));
    try {
      environment({{"CONTAINERFLARE_SHARED_SECRET", ""}});
      FAIL("an empty secret must be rejected");
    } catch (const cf::config_error& error) {
      CHECK(error.variable == "CONTAINERFLARE_SHARED_SECRET");
    }
  }

  TEST_CASE("constant_time_equals") {
    CHECK(cf::constant_time_equals("abc", "abc"));
    CHECK(cf::constant_time_equals("", ""));
    CHECK_FALSE(cf::constant_time_equals("abc", "abd"));
    CHECK_FALSE(cf::constant_time_equals("ab", "abc"));
    CHECK_FALSE(cf::constant_time_equals("abcabc", "abc"));  // a repeated prefix is not equal
    CHECK_FALSE(cf::constant_time_equals("abc", "abcabc"));
    CHECK_FALSE(cf::constant_time_equals("", "a"));
    CHECK_FALSE(cf::constant_time_equals("a", ""));
    CHECK_FALSE(cf::constant_time_equals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  }

  TEST_CASE("rate_limiter lets one event through per interval, on an injected clock") {
    cf::rate_limiter limiter(std::chrono::minutes(1));
    std::chrono::steady_clock::time_point now{std::chrono::hours(5)};
    limiter.set_clock([&now] { return now; });
    CHECK(limiter.allow());
    CHECK_FALSE(limiter.allow());
    now += std::chrono::seconds(59);
    CHECK_FALSE(limiter.allow());
    now += std::chrono::milliseconds(999);
    CHECK_FALSE(limiter.allow());
    now += std::chrono::milliseconds(1);
    CHECK(limiter.allow());
    CHECK_FALSE(limiter.allow());
    now += std::chrono::hours(2);
    CHECK(limiter.allow());
  }

  TEST_CASE("rate_limiter: threads racing at one instant get exactly one event") {
    cf::rate_limiter limiter(std::chrono::minutes(1));
    limiter.set_clock([] { return std::chrono::steady_clock::time_point{std::chrono::hours(1)}; });
    std::atomic<int> allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 1000; ++i) {
          if (limiter.allow()) ++allowed;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(allowed == 1);
  }

  TEST_CASE("rate_limiter: the clock's epoch does not matter") {
    cf::rate_limiter limiter(std::chrono::seconds(10));
    std::chrono::steady_clock::time_point now{};  // zero, and earlier
    limiter.set_clock([&now] { return now; });
    CHECK(limiter.allow());
    now += std::chrono::seconds(10);
    CHECK(limiter.allow());
  }

  TEST_CASE("platform_kind names") {
    CHECK(cf::to_string(cf::platform_kind::generic) == "generic");
    CHECK(cf::to_string(cf::platform_kind::cloudflare) == "cloudflare");
    CHECK(cf::to_string(cf::platform_kind::cloud_run) == "cloud_run");
  }
}
