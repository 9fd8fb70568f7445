#pragma once
// Middleware that logs one structured line per request (method, path, status, duration) to
// stderr, at `lvl` (info by default; CF_LOG=warn silences it, e.g. for benchmarks).

#include "containerflare/log.hpp"
#include "containerflare/router.hpp"

namespace containerflare {

middleware access_log(log::level lvl = log::level::info);

}  // namespace containerflare
