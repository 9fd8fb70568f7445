#include "containerflare/platform.hpp"

#include <utility>

namespace containerflare {

std::string_view to_string(platform_kind kind) noexcept {
  switch (kind) {
    case platform_kind::cloudflare:
      return "cloudflare";
    case platform_kind::cloud_run:
      return "cloud_run";
    case platform_kind::generic:
      break;
  }
  return "generic";
}

bool container_info::any() const noexcept {
  return application_id || durable_object_id || deployment_id || country_a2 || location || region ||
         node_id || placement_id;
}

// --- rate_limiter ---

rate_limiter::rate_limiter(std::chrono::nanoseconds interval)
    : interval_(interval), clock_([] { return std::chrono::steady_clock::now(); }) {}

rate_limiter::rate_limiter(const rate_limiter& other)
    : interval_(other.interval_),
      clock_(other.clock_),
      last_allowed_(other.last_allowed_.load(std::memory_order_relaxed)) {}

rate_limiter& rate_limiter::operator=(const rate_limiter& other) {
  interval_ = other.interval_;
  clock_ = other.clock_;
  last_allowed_.store(other.last_allowed_.load(std::memory_order_relaxed),
                      std::memory_order_relaxed);
  return *this;
}

void rate_limiter::set_clock(clock_function clock) {
  clock_ = std::move(clock);
}

bool rate_limiter::allow() noexcept {
  const std::int64_t now = clock_().time_since_epoch().count();
  std::int64_t last = last_allowed_.load(std::memory_order_relaxed);
  for (;;) {
    if (last != never && now - last < interval_.count()) return false;
    // Only one of several threads racing past the interval wins the event.
    if (last_allowed_.compare_exchange_weak(last, now, std::memory_order_relaxed)) return true;
  }
}

// --- runtime_environment ---

namespace {

std::optional<std::string> non_empty(const env_lookup& env, std::string_view name) {
  auto value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

}  // namespace

runtime_environment runtime_environment::from_environment(const env_lookup& env) {
  runtime_environment out;

  out.container_.application_id = non_empty(env, "CLOUDFLARE_APPLICATION_ID");
  out.container_.durable_object_id = non_empty(env, "CLOUDFLARE_DURABLE_OBJECT_ID");
  out.container_.deployment_id = non_empty(env, "CLOUDFLARE_DEPLOYMENT_ID");
  out.container_.country_a2 = non_empty(env, "CLOUDFLARE_COUNTRY_A2");
  out.container_.location = non_empty(env, "CLOUDFLARE_LOCATION");
  out.container_.region = non_empty(env, "CLOUDFLARE_REGION");
  out.container_.node_id = non_empty(env, "CLOUDFLARE_NODE_ID");
  out.container_.placement_id = non_empty(env, "CLOUDFLARE_PLACEMENT_ID");
  out.worker_name_ = non_empty(env, "CONTAINERFLARE_WORKER");

  out.service_ = non_empty(env, "K_SERVICE");
  out.revision_ = non_empty(env, "K_REVISION");
  out.configuration_ = non_empty(env, "K_CONFIGURATION");
  out.project_ = non_empty(env, "GOOGLE_CLOUD_PROJECT");
  if (!out.project_) out.project_ = non_empty(env, "GCLOUD_PROJECT");
  const auto google_region = non_empty(env, "GOOGLE_CLOUD_REGION");
  out.region_ = google_region ? google_region : non_empty(env, "REGION");

  if (auto secret = env("CONTAINERFLARE_SHARED_SECRET")) {
    if (secret->empty()) {
      throw config_error("CONTAINERFLARE_SHARED_SECRET",
                         "is set but empty; unset it or give it a value");
    }
    out.shared_secret_ = std::move(secret);
  }

  const bool cloud_run_injected = out.service_ || out.revision_ || out.configuration_;
  const bool cloudflare_marked =
      non_empty(env, "CF_CONTAINER_PORT") || non_empty(env, "CF_CONTAINER_ADDR") ||
      non_empty(env, "CF_CMD_ENDPOINT") || out.worker_name_ || out.container_.any();
  const bool google_project_or_region = out.project_ || google_region;

  if (cloud_run_injected) {
    out.platform_ = platform_kind::cloud_run;
  } else if (cloudflare_marked) {
    out.platform_ = platform_kind::cloudflare;
  } else if (google_project_or_region) {
    out.platform_ = platform_kind::cloud_run;
  }
  return out;
}

bool runtime_environment::metadata_trusted(
    std::optional<std::string_view> auth_header) const noexcept {
  if (!shared_secret_) return true;
  if (!auth_header) return false;
  return constant_time_equals(*auth_header, *shared_secret_);
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
  // Every byte of `b` is visited whatever the contents, so the time reveals only the lengths.
  unsigned difference = a.size() == b.size() ? 0U : 1U;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const unsigned char left = a.empty() ? 0 : static_cast<unsigned char>(a[i % a.size()]);
    difference |= static_cast<unsigned>(left ^ static_cast<unsigned char>(b[i]));
  }
  return difference == 0;
}

}  // namespace containerflare
