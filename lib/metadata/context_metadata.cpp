// The members of containerflare::context that concern request metadata: it is resolved on first
// use and cached for the rest of the request.

#include <memory>

#include "containerflare/context.hpp"
#include "containerflare/metadata.hpp"
#include "containerflare/platform.hpp"
#include "containerflare/request.hpp"
#include "metadata_detail.hpp"

namespace containerflare {

namespace {
// Servers started without an environment behave as on a generic platform.
const runtime_environment& generic_environment() {
  static const runtime_environment environment;
  return environment;
}
}  // namespace

context::context(request& req, const runtime_services& services, asio::any_io_executor executor)
    : request_(req), services_(services), executor_(std::move(executor)) {}

// Defined here, where request_metadata is complete, for the unique_ptr member.
context::~context() = default;

const request_metadata& context::metadata_now() {
  if (!metadata_) {
    const runtime_environment& env =
        services_.environment != nullptr ? *services_.environment : generic_environment();
    auto resolved = std::make_unique<request_metadata>();
    detail::resolve_request_metadata_into(request_, env, *resolved);
    metadata_ = std::move(resolved);
  }
  return *metadata_;
}

task<std::reference_wrapper<const request_metadata>> context::metadata() {
  co_return std::cref(metadata_now());
}

}  // namespace containerflare
