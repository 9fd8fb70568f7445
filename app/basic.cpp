// containerflare-basic: the example app. `GET /` echoes the Cloudflare request metadata the
// Worker forwards, as the Rust crate's example does.

#include <boost/json.hpp>
#include <containerflare/containerflare.hpp>

namespace cf = containerflare;

namespace {

cf::task<cf::response> metadata_echo(cf::request&, cf::context& ctx) {
  const cf::request_metadata& meta = co_await ctx.metadata();
  co_return cf::json(boost::json::array{"it works!", cf::to_json(meta)});
}

cf::task<cf::response> plaintext(cf::request&, cf::context&) {
  co_return cf::text("Hello, World!");
}

cf::task<cf::response> json_hello(cf::request&, cf::context&) {
  co_return cf::json(boost::json::object{{"message", "Hello, World!"}});
}

cf::task<cf::response> healthz(cf::request&, cf::context&) {
  co_return cf::text("ok");
}

}  // namespace

int main(int argc, char** argv) {
  cf::router app;
  app.use(cf::access_log());
  app.get("/", metadata_echo);
  app.get("/plaintext", plaintext);
  app.get("/json", json_hello);
  app.get("/healthz", healthz);
  return cf::run(app, argc, argv);
}
