#pragma once
// Where the process runs (Cloudflare Containers, Google Cloud Run, or anywhere else) and the
// facts the platform injects through environment variables. Built once at startup and shared,
// read-only, by every event loop.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "containerflare/env.hpp"

namespace containerflare {

enum class platform_kind : unsigned char { generic, cloudflare, cloud_run };

std::string_view to_string(platform_kind kind) noexcept;

// The CLOUDFLARE_* variables Cloudflare injects into a container (all optional).
struct container_info {
  std::optional<std::string> application_id;     // CLOUDFLARE_APPLICATION_ID
  std::optional<std::string> durable_object_id;  // CLOUDFLARE_DURABLE_OBJECT_ID
  std::optional<std::string> deployment_id;      // CLOUDFLARE_DEPLOYMENT_ID
  std::optional<std::string> country_a2;         // CLOUDFLARE_COUNTRY_A2
  std::optional<std::string> location;           // CLOUDFLARE_LOCATION
  std::optional<std::string> region;             // CLOUDFLARE_REGION
  std::optional<std::string> node_id;            // CLOUDFLARE_NODE_ID
  std::optional<std::string> placement_id;       // CLOUDFLARE_PLACEMENT_ID

  bool any() const noexcept;
  bool operator==(const container_info&) const = default;
};

// Lets an event through at most once per interval. Thread-safe; the clock is injectable so tests
// can move time forward instead of waiting.
class rate_limiter {
 public:
  using clock_function = std::function<std::chrono::steady_clock::time_point()>;

  explicit rate_limiter(std::chrono::nanoseconds interval = std::chrono::minutes(1));
  rate_limiter(const rate_limiter& other);
  rate_limiter& operator=(const rate_limiter& other);

  // True when the event may happen now (the first call, or `interval` after the last allowed
  // one); the allowed event starts a new interval.
  bool allow() noexcept;
  // Replaces the clock (default: std::chrono::steady_clock::now). Not synchronised with allow():
  // set it before sharing the limiter.
  void set_clock(clock_function clock);
  std::chrono::nanoseconds interval() const noexcept { return interval_; }

 private:
  static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::min();
  std::chrono::nanoseconds interval_;
  clock_function clock_;
  std::atomic<std::int64_t> last_allowed_{never};  // nanoseconds since the clock's epoch
};

class runtime_environment {
 public:
  // A generic platform with no variables set.
  runtime_environment() = default;

  // Detects the platform:
  //  - Cloud Run when K_SERVICE, K_REVISION or K_CONFIGURATION is set: Cloud Run injects these
  //    itself, so they win over the Cloudflare markers (a Dockerfile often sets
  //    CF_CONTAINER_ADDR too, which must not make Cloud Run look like Cloudflare);
  //  - otherwise Cloudflare when any of CF_CONTAINER_PORT, CF_CONTAINER_ADDR, CF_CMD_ENDPOINT,
  //    CONTAINERFLARE_WORKER or a CLOUDFLARE_* variable is set;
  //  - otherwise Cloud Run when GOOGLE_CLOUD_PROJECT, GCLOUD_PROJECT or GOOGLE_CLOUD_REGION is
  //    set;
  //  - otherwise generic.
  // Empty values count as unset. Throws config_error when CONTAINERFLARE_SHARED_SECRET is set
  // but empty (a guard that silently trusts everything would be worse than a startup error).
  static runtime_environment from_environment(const env_lookup& env);

  platform_kind platform() const noexcept { return platform_; }
  bool is_cloudflare() const noexcept { return platform_ == platform_kind::cloudflare; }
  bool is_cloud_run() const noexcept { return platform_ == platform_kind::cloud_run; }

  // CLOUDFLARE_* variables (read on every platform; normally only set on Cloudflare).
  const container_info& container() const noexcept { return container_; }
  // CONTAINERFLARE_WORKER.
  const std::optional<std::string>& worker_name() const noexcept { return worker_name_; }

  // Cloud Run: K_SERVICE, K_REVISION, K_CONFIGURATION, GOOGLE_CLOUD_PROJECT (else
  // GCLOUD_PROJECT), GOOGLE_CLOUD_REGION (else REGION).
  const std::optional<std::string>& cloud_run_service() const noexcept { return service_; }
  const std::optional<std::string>& cloud_run_revision() const noexcept { return revision_; }
  const std::optional<std::string>& cloud_run_configuration() const noexcept {
    return configuration_;
  }
  const std::optional<std::string>& cloud_run_project() const noexcept { return project_; }
  const std::optional<std::string>& cloud_run_region() const noexcept { return region_; }

  // CONTAINERFLARE_SHARED_SECRET: when set, the metadata header is trusted only on requests
  // whose `x-containerflare-auth` header equals it.
  const std::optional<std::string>& shared_secret() const noexcept { return shared_secret_; }
  // Constant-time check of an `x-containerflare-auth` value. True when no secret is configured.
  bool metadata_trusted(std::optional<std::string_view> auth_header) const noexcept;

  // Limits the "untrusted metadata header" warning to one per minute.
  rate_limiter& forgery_warning_limiter() const noexcept { return forgery_warnings_; }

 private:
  platform_kind platform_ = platform_kind::generic;
  container_info container_;
  std::optional<std::string> worker_name_;
  std::optional<std::string> service_;
  std::optional<std::string> revision_;
  std::optional<std::string> configuration_;
  std::optional<std::string> project_;
  std::optional<std::string> region_;
  std::optional<std::string> shared_secret_;
  mutable rate_limiter forgery_warnings_;
};

// Compares two byte strings in time that depends only on their lengths.
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

}  // namespace containerflare
