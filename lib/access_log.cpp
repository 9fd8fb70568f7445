#include "containerflare/access_log.hpp"

#include <chrono>
#include <exception>

#include "containerflare/context.hpp"
#include "containerflare/log.hpp"

namespace containerflare {

namespace {
std::int64_t micros_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}
}  // namespace

middleware access_log(log::level lvl) {
  return [lvl](request& req, context& ctx, next_handler next) -> task<response> {
    const auto start = std::chrono::steady_clock::now();
    std::exception_ptr failure;
    try {
      response res = co_await next(req, ctx);
      if (log::enabled(lvl)) {
        log::write(lvl, "request",
                   {{"method", req.method()},
                    {"path", req.path()},
                    {"status", static_cast<int>(res.status())},
                    {"duration_us", micros_since(start)},
                    {"peer", ctx.remote_address()}});
      }
      co_return res;
    } catch (...) {
      failure = std::current_exception();
    }
    // The runtime turns the exception into the answer (500, or 502/503/504 for a command);
    // log the request here all the same.
    if (log::enabled(lvl)) {
      log::write(lvl, "request",
                 {{"method", req.method()},
                  {"path", req.path()},
                  {"status", "exception"},
                  {"duration_us", micros_since(start)},
                  {"peer", ctx.remote_address()}});
    }
    std::rethrow_exception(failure);
  };
}

}  // namespace containerflare
