#include "containerflare/error.hpp"

#include <string>

namespace containerflare {

namespace {
class http_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "containerflare.http"; }
  std::string message(int ev) const override {
    switch (static_cast<http_error>(ev)) {
      case http_error::body_too_large:
        return "request body exceeds the limit";
      case http_error::body_timeout:
        return "timed out reading the request body";
      case http_error::malformed_body:
        return "malformed request body framing";
      case http_error::client_disconnected:
        return "client disconnected";
    }
    return "unknown http error";
  }
};
}  // namespace

const std::error_category& http_category() noexcept {
  static const http_category_impl category;
  return category;
}

}  // namespace containerflare
