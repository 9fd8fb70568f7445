#pragma once
// Per-request context handed to every handler: lazily parsed Cloudflare metadata, the command
// channel, and facts about the connection and the runtime.

#include <functional>
#include <memory>
#include <string_view>

#include <asio/any_io_executor.hpp>

#include "containerflare/task.hpp"

namespace containerflare {

class request;
struct request_metadata;
class runtime_environment;
class command_client;
enum class platform_kind : unsigned char;

// Process-wide services shared by every request of a server (owned by run()/serve() or a test).
struct runtime_services {
  const runtime_environment* environment = nullptr;
  command_client* command = nullptr;
};

class context {
 public:
  context(request& req, const runtime_services& services, asio::any_io_executor executor);
  ~context();
  context(const context&) = delete;
  context& operator=(const context&) = delete;

  // The request's Cloudflare metadata: parsed from `x-containerflare-metadata` on first use, or
  // rebuilt from plain headers when that is missing, invalid or not trusted. Cached per request.
  task<std::reference_wrapper<const request_metadata>> metadata();
  // Synchronous form of metadata() (parsing never waits on I/O).
  const request_metadata& metadata_now();

  // The process's command channel client. Throws std::logic_error when none is configured.
  command_client& command() const;
  bool has_command() const noexcept { return services_.command != nullptr; }

  // The platform the process runs on; generic when the server has no runtime environment.
  platform_kind platform() const noexcept;

  // The runtime environment (platform, container info). Throws std::logic_error when absent.
  const runtime_environment& environment() const;

  asio::any_io_executor executor() const noexcept { return executor_; }
  std::string_view remote_address() const noexcept { return remote_address_; }
  void set_remote_address(std::string_view a) noexcept { remote_address_ = a; }

 private:
  request& request_;
  runtime_services services_;
  asio::any_io_executor executor_;
  std::string_view remote_address_;
  std::unique_ptr<request_metadata> metadata_;
};

}  // namespace containerflare
