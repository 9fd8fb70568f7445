// Matching only: which route a method and path select, the parameters, 404/405, registration
// errors. Each route carries a distinct max_body_bytes so a test can tell which one matched.

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "containerflare/router.hpp"

namespace cf = containerflare;

namespace {

cf::task<cf::response> ok(cf::request&, cf::context&) {
  co_return cf::text("ok");
}

cf::route_options tag(std::size_t id) {
  return cf::route_options{id, false};
}

// The tag of the matched route, or 0 when nothing was found.
std::size_t matched_tag(const cf::route_match& m) {
  if (m.result != cf::route_match::outcome::found) return 0;
  REQUIRE(m.options != nullptr);
  REQUIRE(m.options->max_body_bytes.has_value());
  return *m.options->max_body_bytes;
}

struct probe {
  explicit probe(const cf::router& r) : app(r) {}

  const cf::router& app;
  cf::request req;
  cf::route_match m;

  std::size_t operator()(std::string_view method, std::string_view path) {
    m = app.match(method, path, req);
    CHECK(m.chain != nullptr);
    return matched_tag(m);
  }
};

}  // namespace

TEST_SUITE("routing") {
  TEST_CASE("a static segment beats a parameter, which beats a wildcard") {
    cf::router app;
    app.get("/users/me", ok, tag(1));
    app.get("/users/{id}", ok, tag(2));
    app.get("/users/{*rest}", ok, tag(3));
    probe p(app);

    CHECK(p("GET", "/users/me") == 1);
    CHECK(p.req.params().empty());
    CHECK(p("GET", "/users/42") == 2);
    CHECK(p.req.param("id") == "42");
    CHECK(p("GET", "/users/42/posts") == 3);
    CHECK(p.req.param("rest") == "42/posts");
  }

  TEST_CASE("literal segments alike in length and first byte stay apart") {
    cf::router app;
    app.get("/kv", ok, tag(1));
    app.get("/kw", ok, tag(2));
    app.get("/k", ok, tag(3));
    app.get("/kvs", ok, tag(4));
    app.get("/", ok, tag(5));
    app.get("/ka/x", ok, tag(6));
    app.get("/kb/x", ok, tag(7));
    probe p(app);

    CHECK(p("GET", "/kv") == 1);
    CHECK(p("GET", "/kw") == 2);
    CHECK(p("GET", "/k") == 3);
    CHECK(p("GET", "/kvs") == 4);
    CHECK(p("GET", "/") == 5);
    CHECK(p("GET", "/ka/x") == 6);
    CHECK(p("GET", "/kb/x") == 7);
    CHECK(p("GET", "/kx") == 0);
    CHECK(p("GET", "/kc/x") == 0);
  }

  TEST_CASE("a branch that fails deeper gives way to the parameter, then the wildcard") {
    cf::router app;
    app.get("/a/static/x", ok, tag(1));
    app.get("/a/{p}/y", ok, tag(2));
    app.get("/a/{*rest}", ok, tag(3));
    probe p(app);

    CHECK(p("GET", "/a/static/x") == 1);
    CHECK(p("GET", "/a/static/y") == 2);
    CHECK(p.req.param("p") == "static");
    CHECK(p("GET", "/a/static/z") == 3);
    CHECK(p.req.param("rest") == "static/z");
    REQUIRE(p.req.params().size() == 1);
  }

  TEST_CASE("a more specific pattern without the method gives way to one that has it") {
    cf::router app;
    app.get("/users/me", ok, tag(1));
    app.post("/users/{id}", ok, tag(2));
    probe p(app);

    CHECK(p("POST", "/users/me") == 2);
    CHECK(p.req.param("id") == "me");
    // No pattern serves PUT: the 405 lists the methods of the most specific one.
    CHECK(p("PUT", "/users/me") == 0);
    CHECK(p.m.result == cf::route_match::outcome::method_not_allowed);
    CHECK(p.m.allow == "GET, HEAD");
  }

  TEST_CASE("parameters are percent-decoded; literal segments match the raw path") {
    cf::router app;
    app.get("/users/{name}/files/{file}", ok, tag(1));
    app.get("/raw/a%20b", ok, tag(2));
    probe p(app);

    CHECK(p("GET", "/users/J%C3%BCrgen/files/a%2Fb%20c") == 1);
    CHECK(p.req.param("name") == "J\xC3\xBCrgen");
    CHECK(p.req.param("file") == "a/b c");
    CHECK(p("GET", "/raw/a%20b") == 2);
    CHECK(p("GET", "/raw/a b") == 0);
  }

  TEST_CASE("a wildcard takes the rest of the path, possibly empty, without its leading slash") {
    cf::router app;
    app.get("/files/{*path}", ok, tag(1));
    app.get("/{*everything}", ok, tag(2));
    probe p(app);

    CHECK(p("GET", "/files/a/b/c.txt") == 1);
    CHECK(p.req.param("path") == "a/b/c.txt");
    CHECK(p("GET", "/files/") == 1);
    REQUIRE(p.req.find_param("path").has_value());
    CHECK(p.req.find_param("path")->empty());
    CHECK(p("GET", "/files/a//b/") == 1);
    CHECK(p.req.param("path") == "a//b/");
    // "/files" has no segment left for the wildcard: the root catch-all takes it.
    CHECK(p("GET", "/files") == 2);
    CHECK(p.req.param("everything") == "files");
    CHECK(p("GET", "/") == 2);
    CHECK(p.req.param("everything") == "");
  }

  TEST_CASE("a trailing slash is significant and a parameter needs a non-empty segment") {
    cf::router app;
    app.get("/users", ok, tag(1));
    app.get("/users/{id}", ok, tag(2));
    app.get("/docs/", ok, tag(3));
    probe p(app);

    CHECK(p("GET", "/users") == 1);
    CHECK(p("GET", "/users/") == 0);
    CHECK(p.m.result == cf::route_match::outcome::not_found);
    CHECK(p("GET", "/docs/") == 3);
    CHECK(p("GET", "/docs") == 0);
    CHECK(p("GET", "/users//") == 0);
  }

  TEST_CASE("unknown paths are 404") {
    cf::router app;
    app.get("/", ok, tag(1));
    app.get("/a/b", ok, tag(2));
    probe p(app);

    CHECK(p("GET", "/") == 1);
    for (const auto path : {"/a", "/a/b/c", "/b", "", "a/b", "*", "//"}) {
      CAPTURE(path);
      CHECK(p("GET", path) == 0);
      CHECK(p.m.result == cf::route_match::outcome::not_found);
      CHECK(p.m.route == nullptr);
      CHECK(p.m.options == nullptr);
      CHECK(p.m.allow.empty());
    }
  }

  TEST_CASE("a known path with another method is 405 with a sorted Allow including HEAD") {
    cf::router app;
    app.post("/items", ok, tag(1));
    app.get("/items", ok, tag(2));
    app.route("PROPFIND", "/items", ok, tag(3));
    app.del("/items", ok, tag(4));
    app.put("/only-put", ok, tag(5));
    probe p(app);

    CHECK(p("PATCH", "/items") == 0);
    CHECK(p.m.result == cf::route_match::outcome::method_not_allowed);
    CHECK(p.m.route == nullptr);
    CHECK(p.m.allow == "DELETE, GET, HEAD, POST, PROPFIND");
    CHECK(p("GET", "/only-put") == 0);
    CHECK(p.m.allow == "PUT");
    CHECK(p("PROPFIND", "/items") == 3);
    CHECK(p("propfind", "/items") == 0);  // methods are case-sensitive
  }

  TEST_CASE("HEAD is answered by the GET route unless a HEAD route exists") {
    cf::router app;
    app.get("/auto", ok, tag(1));
    app.get("/explicit", ok, tag(2));
    app.route("HEAD", "/explicit", ok, tag(3));
    app.post("/post-only", ok, tag(4));
    probe p(app);

    CHECK(p("HEAD", "/auto") == 1);
    CHECK(p("HEAD", "/explicit") == 3);
    CHECK(p("GET", "/explicit") == 2);
    CHECK(p("HEAD", "/post-only") == 0);
    CHECK(p.m.result == cf::route_match::outcome::method_not_allowed);
    CHECK(p.m.allow == "POST");
  }

  TEST_CASE("an any-method route matches every method; a specific route on it wins") {
    cf::router app;
    app.any("/hook", ok, tag(1));
    app.post("/hook", ok, tag(2));
    app.get("/hook", ok, tag(3));
    probe p(app);

    CHECK(p("PUT", "/hook") == 1);
    CHECK(p("PROPFIND", "/hook") == 1);
    CHECK(p("POST", "/hook") == 2);
    CHECK(p("GET", "/hook") == 3);
    CHECK(p("HEAD", "/hook") == 3);
  }

  TEST_CASE("a nested router's routes get the prefix; its \"/\" answers the bare prefix too") {
    cf::router api;
    api.get("/", ok, tag(1));
    api.get("/users/{id}", ok, tag(2));
    cf::router app;
    app.get("/", ok, tag(3));
    app.nest("/api", std::move(api));
    probe p(app);

    CHECK(p("GET", "/api") == 1);
    CHECK(p("GET", "/api/") == 1);
    CHECK(p("GET", "/api/users/7") == 2);
    CHECK(p.req.param("id") == "7");
    CHECK(p("GET", "/users/7") == 0);
    CHECK(p("GET", "/") == 3);
    CHECK(p("POST", "/api") == 0);
    CHECK(p.m.result == cf::route_match::outcome::method_not_allowed);
  }

  TEST_CASE("nesting under a parameter prefix, twice deep") {
    cf::router items;
    items.get("/{item}", ok, tag(1));
    cf::router tenant;
    tenant.nest("/items/", std::move(items));  // one trailing slash of a prefix is ignored
    cf::router app;
    app.nest("/t/{tenant}", std::move(tenant));
    probe p(app);

    CHECK(p("GET", "/t/acme/items/42") == 1);
    REQUIRE(p.req.params().size() == 2);
    CHECK(p.req.params()[0].name == "tenant");
    CHECK(p.req.params()[0].value == "acme");
    CHECK(p.req.params()[1].name == "item");
    CHECK(p.req.params()[1].value == "42");
  }

  TEST_CASE("route options come back in the match") {
    cf::router app;
    app.post("/upload", ok, cf::route_options{1 << 20, true});
    app.post("/form", ok);
    cf::request req;

    auto m = app.match("POST", "/upload", req);
    REQUIRE(m.result == cf::route_match::outcome::found);
    REQUIRE(m.options != nullptr);
    CHECK(m.options->max_body_bytes == std::optional<std::size_t>(1 << 20));
    CHECK(m.options->stream_body);
    m = app.match("POST", "/form", req);
    REQUIRE(m.result == cf::route_match::outcome::found);
    REQUIRE(m.options != nullptr);
    CHECK_FALSE(m.options->max_body_bytes.has_value());
    CHECK_FALSE(m.options->stream_body);
  }

  TEST_CASE("matching replaces the parameters of an earlier match") {
    cf::router app;
    app.get("/a/{x}", ok, tag(1));
    app.get("/b", ok, tag(2));
    probe p(app);

    CHECK(p("GET", "/a/1") == 1);
    CHECK(p.req.params().size() == 1);
    CHECK(p("GET", "/b") == 2);
    CHECK(p.req.params().empty());
    CHECK(p("GET", "/nowhere") == 0);
    CHECK(p.req.params().empty());
  }

  TEST_CASE("invalid patterns throw and leave the router usable") {
    cf::router app;
    for (const auto pattern :
         {"", "users", "/{", "/}", "/{}", "/{*}", "/a{id}", "/{id}x", "/{*rest}/more", "/{a}/{a}",
          "/{a}/{*a}", "/{a b}", "/x?y", "/x#y", "/{{id}}"}) {
      CAPTURE(pattern);
      CHECK_THROWS_AS(app.get(pattern, ok), std::invalid_argument);
    }
    std::string many;
    for (int i = 0; i <= 16; ++i) many += "/{p" + std::to_string(i) + "}";
    CHECK_THROWS_AS(app.get(many, ok), std::invalid_argument);
    CHECK_THROWS_AS(app.route("BAD METHOD", "/x", ok), std::invalid_argument);
    CHECK_THROWS_AS(app.route("", "/x", ok), std::invalid_argument);
    CHECK_THROWS_AS(app.get("/x", cf::handler{}), std::invalid_argument);
    CHECK_THROWS_AS(app.use(cf::middleware{}), std::invalid_argument);

    app.get("/x", ok, tag(1));
    probe p(app);
    CHECK(p("GET", "/x") == 1);
  }

  TEST_CASE("a duplicate route throws; parameter names do not make patterns differ") {
    cf::router app;
    app.get("/a/{x}", ok, tag(1));
    app.post("/a/{x}", ok, tag(2));
    app.any("/a/{x}", ok, tag(3));
    CHECK_THROWS_AS(app.get("/a/{x}", ok), std::invalid_argument);
    CHECK_THROWS_AS(app.get("/a/{y}", ok), std::invalid_argument);
    CHECK_THROWS_AS(app.any("/a/{z}", ok), std::invalid_argument);
    CHECK_THROWS_AS(app.route("GET", "/a/{x}", ok), std::invalid_argument);
    app.get("/a/{x}/", ok, tag(4));  // a different shape
    app.get("/a/{*x}", ok, tag(5));

    probe p(app);
    CHECK(p("GET", "/a/1") == 1);
    CHECK(p.req.param("x") == "1");
  }

  TEST_CASE("a nest that would duplicate a route or has a bad prefix throws and changes nothing") {
    cf::router app;
    app.get("/api/users", ok, tag(1));

    cf::router clashing;
    clashing.get("/status", ok, tag(2));
    clashing.get("/users", ok, tag(3));
    CHECK_THROWS_AS(app.nest("/api", std::move(clashing)), std::invalid_argument);

    cf::router wild;
    wild.get("/x", ok);
    CHECK_THROWS_AS(app.nest("/files/{*rest}", std::move(wild)), std::invalid_argument);

    cf::router repeated;
    repeated.get("/{id}", ok);
    CHECK_THROWS_AS(app.nest("/u/{id}", std::move(repeated)), std::invalid_argument);

    cf::router root_clash;
    root_clash.get("/", ok);
    CHECK_THROWS_AS(app.nest("/api/users", std::move(root_clash)), std::invalid_argument);

    probe p(app);
    CHECK(p("GET", "/api/users") == 1);
    CHECK(p("GET", "/api/status") == 0);
  }
}
