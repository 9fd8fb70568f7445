#include "containerflare/access_log.hpp"

#include <chrono>

#include "containerflare/context.hpp"
#include "containerflare/log.hpp"

namespace containerflare {

middleware access_log(log::level lvl) {
  return [lvl](request& req, context& ctx, next_handler next) -> task<response> {
    const auto start = std::chrono::steady_clock::now();
    response res = co_await next(req, ctx);
    if (log::enabled(lvl)) {
      const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
      log::write(lvl, "request",
                 {{"method", req.method()},
                  {"path", req.path()},
                  {"status", static_cast<int>(res.status())},
                  {"duration_us", static_cast<std::int64_t>(micros)},
                  {"peer", ctx.remote_address()}});
    }
    co_return res;
  };
}

}  // namespace containerflare
