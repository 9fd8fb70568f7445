#include "containerflare/context.hpp"

#include <stdexcept>

#include "containerflare/platform.hpp"

namespace containerflare {

// The metadata members (metadata(), metadata_now(), ~context) live in
// metadata/context_metadata.cpp, beside the parser they call.

command_client& context::command() const {
  if (services_.command == nullptr) {
    throw std::logic_error("no command channel is configured for this server");
  }
  return *services_.command;
}

platform_kind context::platform() const noexcept {
  return services_.environment != nullptr ? services_.environment->platform()
                                          : platform_kind::generic;
}

const runtime_environment& context::environment() const {
  if (services_.environment == nullptr) {
    throw std::logic_error("no runtime environment is configured for this server");
  }
  return *services_.environment;
}

}  // namespace containerflare
