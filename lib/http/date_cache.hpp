#pragma once
// The `Date` header value, formatted at most once per second per thread.

#include <string_view>

namespace containerflare::detail {

// IMF-fixdate of the current second, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string_view http_date_now() noexcept;

}  // namespace containerflare::detail
