#include "http/test_app.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <system_error>

#include <boost/json.hpp>

#include "containerflare/context.hpp"
#include "containerflare/request.hpp"
#include "containerflare/response.hpp"

namespace containerflare::test {

std::uint32_t fnv1a(std::string_view data, std::uint32_t hash) {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

std::string big_body(std::size_t size) {
  static constexpr std::string_view pattern = "0123456789abcdef";
  std::string body;
  body.reserve(size);
  while (body.size() < size) body.append(pattern.substr(0, size - body.size()));
  return body;
}

router make_test_app(test_app_state& state) {
  router app;
  app.get("/plaintext",
          [](request&, context&) -> task<response> { co_return text("Hello, World!"); });
  app.get("/json", [](request&, context&) -> task<response> {
    co_return json(boost::json::object{{"message", "Hello, World!"}});
  });
  app.get("/healthz", [](request&, context&) -> task<response> { co_return text("ok"); });

  app.get("/echo/{id}", [](request& req, context&) -> task<response> {
    co_return text("id=" + std::string(req.param("id")));
  });
  app.post("/echo", [](request& req, context&) -> task<response> {
    co_return text(std::string(req.body()));
  });

  app.post(
      "/upload",
      [&state](request& req, context&) -> task<response> {
        body_stream* body = req.stream();
        if (body == nullptr) co_return text("no stream", status::internal_server_error);
        std::size_t bytes = 0;
        std::size_t max_piece = 0;
        std::size_t pieces = 0;
        std::uint32_t checksum = fnv1a({});
        for (;;) {
          const std::string_view piece = co_await body->read();
          if (piece.empty()) break;
          bytes += piece.size();
          max_piece = std::max(max_piece, piece.size());
          ++pieces;
          checksum = fnv1a(piece, checksum);
          state.upload_bytes_seen = bytes;
        }
        co_return text("bytes=" + std::to_string(bytes) + " checksum=" + std::to_string(checksum) +
                       " max_piece=" + std::to_string(max_piece) +
                       " pieces=" + std::to_string(pieces));
      },
      route_options{.max_body_bytes = upload_limit, .stream_body = true});

  app.get("/throw", [](request&, context&) -> task<response> {
    throw std::runtime_error("secret internal detail: /var/lib/db password=hunter2");
    co_return text("unreachable");
  });

  app.get("/events", [&state](request&, context& ctx) -> task<response> {
    co_return stream(
        [&state, executor = ctx.executor()](body_writer& out) -> task<void> {
          co_await out.write("data: one\n\n");
          co_await state.events_gate.passed(executor, 1);
          co_await out.write("data: two\n\n");
          co_await state.events_gate.passed(executor, 2);
          co_await out.write("data: three\n\n");
        },
        "text/event-stream");
  });

  app.get("/stream", [](request&, context&) -> task<response> {
    co_return stream(
        [](body_writer& out) -> task<void> {
          co_await out.write("a");
          co_await out.write("b");
          co_await out.write("c");
        },
        "text/plain");
  });

  app.get("/firehose", [&state](request&, context&) -> task<response> {
    co_return stream(
        [&state](body_writer& out) -> task<void> {
          const std::string chunk(64 * 1024, 'x');
          try {
            // 64 GiB: far more than any socket buffer; a client that does not read stalls this.
            for (int i = 0; i < 1024 * 1024; ++i) co_await out.write(chunk);
          } catch (const std::system_error&) {
            state.firehose_failed = true;
            throw;
          }
        },
        "application/octet-stream");
  });
  app.get("/big", [](request& req, context&) -> task<response> {
    const std::size_t size = std::stoul(req.query("size").value_or("0"));
    co_return text(big_body(size));
  });

  app.get("/hold", [&state](request&, context& ctx) -> task<response> {
    co_await state.hold_gate.passed(ctx.executor());
    co_return text("held");
  });

  app.post(
      "/sink", [](request&, context&) -> task<response> { co_return text("ignored"); },
      route_options{.max_body_bytes = upload_limit, .stream_body = true});
  return app;
}

}  // namespace containerflare::test
