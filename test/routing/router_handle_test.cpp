// Running requests through the router: middleware order and scope, short-circuits, the 404/405
// answers and fallbacks, HEAD, parameters reaching handlers, errors. Each request runs to
// completion on a local io_context.

#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "containerflare/context.hpp"
#include "containerflare/router.hpp"

namespace cf = containerflare;

namespace {

using journal = std::shared_ptr<std::vector<std::string>>;

journal new_journal() {
  return std::make_shared<std::vector<std::string>>();
}

// Logs "name>" on the way in and "<name status" on the way out.
cf::middleware recorder(journal log, std::string name) {
  return [log, name](cf::request& req, cf::context& ctx,
                     cf::next_handler next) -> cf::task<cf::response> {
    log->push_back(name + ">");
    auto answer = co_await next(req, ctx);
    log->push_back("<" + name + " " + std::to_string(static_cast<int>(answer.status())));
    co_return answer;
  };
}

cf::handler named_handler(journal log, std::string name) {
  return [log, name](cf::request&, cf::context&) -> cf::task<cf::response> {
    log->push_back(name);
    co_return cf::text(name);
  };
}

struct harness {
  asio::io_context io;
  cf::runtime_services services;

  cf::response run(const cf::router& app, std::string_view method, std::string_view target) {
    cf::request req;
    req.set_method(method);
    req.set_target(target);
    cf::context ctx(req, services, io.get_executor());
    auto answer = asio::co_spawn(io, app.dispatch(req, ctx), asio::use_future);
    io.restart();
    io.run();
    return answer.get();
  }
};

using events = std::vector<std::string>;

}  // namespace

TEST_SUITE("routing") {
  TEST_CASE("middleware run in declaration order, the first use outermost") {
    auto log = new_journal();
    cf::router app;
    app.use(recorder(log, "a"));
    app.use(recorder(log, "b"));
    app.get("/x", named_handler(log, "handler"));
    harness h;

    const auto answer = h.run(app, "GET", "/x?q=1");
    CHECK(answer.status() == cf::status::ok);
    CHECK(answer.body() == "handler");
    CHECK(*log == events{"a>", "b>", "handler", "<b 200", "<a 200"});
  }

  TEST_CASE("a middleware can answer without calling the rest of the chain") {
    auto log = new_journal();
    cf::router app;
    app.use(recorder(log, "outer"));
    app.use(
        [log](cf::request& req, cf::context& ctx, cf::next_handler next) -> cf::task<cf::response> {
          if (req.header("authorization") != "Bearer good") {
            log->push_back("refused");
            co_return cf::json_error(cf::status::unauthorized, "unauthorized");
          }
          co_return co_await next(req, ctx);
        });
    app.use(recorder(log, "inner"));
    app.get("/secret", named_handler(log, "handler"));
    harness h;

    const auto answer = h.run(app, "GET", "/secret");
    CHECK(answer.status() == cf::status::unauthorized);
    CHECK(*log == events{"outer>", "refused", "<outer 401"});
  }

  TEST_CASE("middleware wrap the 404 and 405 answers") {
    auto log = new_journal();
    cf::router app;
    app.use(recorder(log, "mw"));
    app.get("/x", named_handler(log, "handler"));
    app.post("/x", named_handler(log, "handler"));
    harness h;

    auto answer = h.run(app, "GET", "/missing");
    CHECK(answer.status() == cf::status::not_found);
    CHECK(answer.kind() == cf::response::body_kind::json);
    CHECK(boost::json::serialize(answer.json_body()) == R"({"error":"not found"})");
    CHECK(answer.headers().get("content-type") == "application/json");
    CHECK(*log == events{"mw>", "<mw 404"});

    log->clear();
    answer = h.run(app, "DELETE", "/x");
    CHECK(answer.status() == cf::status::method_not_allowed);
    CHECK(answer.headers().get("allow") == "GET, HEAD, POST");
    CHECK(boost::json::serialize(answer.json_body()) == R"({"error":"method not allowed"})");
    CHECK(*log == events{"mw>", "<mw 405"});
  }

  TEST_CASE("a fallback replaces the 404 answer and runs inside the middleware") {
    auto log = new_journal();
    cf::router app;
    app.use(recorder(log, "mw"));
    app.get("/x", named_handler(log, "handler"));
    app.fallback([log](cf::request& req, cf::context&) -> cf::task<cf::response> {
      log->push_back("fallback");
      co_return cf::text("no page at " + std::string(req.path()), cf::status::not_found);
    });
    harness h;

    const auto answer = h.run(app, "GET", "/nowhere?x=1");
    CHECK(answer.status() == cf::status::not_found);
    CHECK(answer.body() == "no page at /nowhere");
    CHECK(*log == events{"mw>", "fallback", "<mw 404"});
    // A known path with another method is still a 405, not the fallback.
    CHECK(h.run(app, "POST", "/x").status() == cf::status::method_not_allowed);
  }

  TEST_CASE("a nested router's middleware run inside the outer ones and only for its routes") {
    auto log = new_journal();
    cf::router api;
    api.use(recorder(log, "api"));
    api.get("/items", named_handler(log, "items"));
    cf::router app;
    app.use(recorder(log, "a"));
    app.get("/home", named_handler(log, "home"));
    app.nest("/api", std::move(api));
    app.use(recorder(log, "c"));  // declared after nest: still outside the nested middleware
    harness h;

    CHECK(h.run(app, "GET", "/api/items").body() == "items");
    CHECK(*log == events{"a>", "c>", "api>", "items", "<api 200", "<c 200", "<a 200"});

    log->clear();
    CHECK(h.run(app, "GET", "/home").body() == "home");
    CHECK(*log == events{"a>", "c>", "home", "<c 200", "<a 200"});

    log->clear();  // no fallback in api: the outer router answers
    CHECK(h.run(app, "GET", "/api/nothing").status() == cf::status::not_found);
    CHECK(*log == events{"a>", "c>", "<c 404", "<a 404"});

    log->clear();  // the path is api's: its middleware see the 405
    CHECK(h.run(app, "POST", "/api/items").status() == cf::status::method_not_allowed);
    CHECK(*log == events{"a>", "c>", "api>", "<api 405", "<c 405", "<a 405"});
  }

  TEST_CASE("a nested router's fallback answers unmatched paths under its prefix") {
    auto log = new_journal();
    cf::router api;
    api.use(recorder(log, "api"));
    api.get("/items", named_handler(log, "items"));
    api.fallback(named_handler(log, "api fallback"));
    cf::router app;
    app.use(recorder(log, "app"));
    app.nest("/api", std::move(api));
    app.fallback(named_handler(log, "app fallback"));
    harness h;

    CHECK(h.run(app, "GET", "/api/missing/deeper").body() == "api fallback");
    CHECK(*log == events{"app>", "api>", "api fallback", "<api 200", "<app 200"});
    CHECK(h.run(app, "GET", "/api").body() == "api fallback");
    CHECK(h.run(app, "GET", "/apix").body() == "app fallback");
    CHECK(h.run(app, "GET", "/").body() == "app fallback");

    cf::router other;
    other.fallback(named_handler(log, "other"));
    CHECK_THROWS_AS(app.nest("/api", std::move(other)), std::invalid_argument);
  }

  TEST_CASE("HEAD runs the GET handler; path parameters reach the handler decoded") {
    cf::router app;
    app.get("/users/{name}", [](cf::request& req, cf::context&) -> cf::task<cf::response> {
      co_return cf::text(std::string(req.method()) + " " + std::string(req.param("name")));
    });
    harness h;

    CHECK(h.run(app, "GET", "/users/J%C3%BCrgen").body() == "GET J\xC3\xBCrgen");
    CHECK(h.run(app, "HEAD", "/users/bob").body() == "HEAD bob");
  }

  TEST_CASE("handle() runs an earlier match, as the engine does after reading the body") {
    auto log = new_journal();
    cf::router app;
    app.use(recorder(log, "mw"));
    app.post("/upload", named_handler(log, "upload"), cf::route_options{4096, true});
    harness h;

    cf::request req;
    req.set_method("POST");
    req.set_target("/upload");
    cf::context ctx(req, h.services, h.io.get_executor());
    const auto m = app.match(req.method(), req.path(), req);
    REQUIRE(m.result == cf::route_match::outcome::found);
    CHECK(m.options->stream_body);
    auto answer = asio::co_spawn(h.io, app.handle(m, req, ctx), asio::use_future);
    h.io.run();
    CHECK(answer.get().body() == "upload");
    CHECK(*log == events{"mw>", "upload", "<mw 200"});

    // A default route_match is a 404 of the router itself.
    h.io.restart();
    auto missing = asio::co_spawn(h.io, app.handle(cf::route_match{}, req, ctx), asio::use_future);
    h.io.run();
    CHECK(missing.get().status() == cf::status::not_found);
  }

  TEST_CASE("a handler's exception reaches the middleware, then the caller") {
    auto log = new_journal();
    cf::router app;
    app.use(
        [log](cf::request& req, cf::context& ctx, cf::next_handler next) -> cf::task<cf::response> {
          try {
            co_return co_await next(req, ctx);
          } catch (const std::runtime_error& e) {
            log->push_back(e.what());
          }
          co_return cf::json_error(cf::status::internal_server_error, "internal error");
        });
    app.get("/boom", [](cf::request&, cf::context&) -> cf::task<cf::response> {
      throw std::runtime_error("boom");
      co_return cf::text("unreachable");
    });
    harness h;

    CHECK(h.run(app, "GET", "/boom").status() == cf::status::internal_server_error);
    CHECK(*log == events{"boom"});

    cf::router bare;
    bare.get("/boom", [](cf::request&, cf::context&) -> cf::task<cf::response> {
      throw std::runtime_error("boom");
      co_return cf::text("unreachable");
    });
    CHECK_THROWS_AS(h.run(bare, "GET", "/boom"), std::runtime_error);
  }
}
