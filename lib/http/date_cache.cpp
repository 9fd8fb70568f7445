#include "http/date_cache.hpp"

#include <ctime>

namespace containerflare::detail {

std::string_view http_date_now() noexcept {
  struct cache {
    std::time_t second = -1;
    char text[32] = {};
    std::size_t length = 0;
  };
  thread_local cache c;
  const std::time_t now = std::time(nullptr);
  if (now != c.second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    c.length = std::strftime(c.text, sizeof c.text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    c.second = now;
  }
  return {c.text, c.length};
}

}  // namespace containerflare::detail
