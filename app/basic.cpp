// containerflare-basic: the example app.
//
//   GET /                 the Cloudflare request metadata the Worker forwards, as the Rust
//                         crate's example answers: ["it works!", {metadata}]
//   GET /plaintext, /json, /healthz
//   GET|PUT|DELETE /kv/{key}      Workers KV through the command channel
//   POST|GET /notes               D1 (SQL with bound parameters)
//   PUT|GET /files/{*key}         R2 (bodies up to 16 MiB)
//   POST /events                  Queues
//
// A command the host refuses answers 502, a missing command channel 503, a timeout 504 (the
// runtime maps command_error at the handler boundary).

#include <atomic>

#include <boost/json.hpp>
#include <containerflare/containerflare.hpp>

namespace cf = containerflare;
namespace json = boost::json;

namespace {

cf::task<cf::response> metadata_echo(cf::request&, cf::context& ctx) {
  const cf::request_metadata& meta = co_await ctx.metadata();
  // Same bytes as cf::json(json::array{"it works!", cf::to_json(meta)}), written directly.
  std::string body = R"(["it works!",)";
  cf::serialize_metadata(meta, body);
  body += ']';
  co_return cf::bytes(std::move(body), "application/json");
}

cf::task<cf::response> plaintext(cf::request&, cf::context&) {
  co_return cf::text("Hello, World!");
}

cf::task<cf::response> json_hello(cf::request&, cf::context&) {
  co_return cf::json(json::object{{"message", "Hello, World!"}});
}

cf::task<cf::response> healthz(cf::request&, cf::context&) {
  co_return cf::text("ok");
}

// --- KV ---

cf::task<cf::response> kv_get(cf::request& req, cf::context& ctx) {
  auto value = co_await cf::kv(ctx.command()).get(std::string(req.param("key")));
  if (!value) co_return cf::json_error(cf::status::not_found, "no such key");
  co_return cf::text(std::move(*value));
}

cf::task<cf::response> kv_put(cf::request& req, cf::context& ctx) {
  cf::kv_put_options options;
  if (auto ttl = req.query("ttl")) {
    try {
      options.expiration_ttl = std::stoll(*ttl);
    } catch (const std::exception&) {
      co_return cf::json_error(cf::status::bad_request, "ttl must be a number of seconds");
    }
  }
  co_await cf::kv(ctx.command())
      .put(std::string(req.param("key")), std::string(req.body()), std::move(options));
  co_return cf::empty(cf::status::no_content);
}

cf::task<cf::response> kv_delete(cf::request& req, cf::context& ctx) {
  co_await cf::kv(ctx.command()).remove(std::string(req.param("key")));
  co_return cf::empty(cf::status::no_content);
}

// --- D1 ---

// The table is created once per process, on first use.
std::atomic<bool> notes_table_ready{false};

cf::task<void> ensure_notes_table(cf::d1& db) {
  if (notes_table_ready.load()) co_return;
  co_await db.exec(
      "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY AUTOINCREMENT, "
      "body TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)");
  notes_table_ready.store(true);
}

cf::task<cf::response> notes_create(cf::request& req, cf::context& ctx) {
  if (req.body().empty()) co_return cf::json_error(cf::status::bad_request, "empty note");
  cf::d1 db(ctx.command());
  co_await ensure_notes_table(db);
  json::array params;
  params.emplace_back(req.text());
  auto inserted = co_await db.query("INSERT INTO notes (body) VALUES (?1)", std::move(params));
  co_return cf::json(json::object{{"id", inserted.meta.last_row_id}}, cf::status::created);
}

cf::task<cf::response> notes_list(cf::request&, cf::context& ctx) {
  cf::d1 db(ctx.command());
  co_await ensure_notes_table(db);
  auto result = co_await db.query("SELECT id, body, created_at FROM notes ORDER BY id");
  json::array notes;
  for (auto& row : result.rows) notes.emplace_back(std::move(row));
  co_return cf::json(std::move(notes));
}

// --- R2 ---

cf::task<cf::response> file_put(cf::request& req, cf::context& ctx) {
  cf::r2_put_options options;
  if (auto type = req.header("content-type")) options.http_metadata["contentType"] = *type;
  auto info = co_await cf::r2(ctx.command())
                  .put(std::string(req.param("key")), std::string(req.body()), std::move(options));
  co_return cf::json(json::object{{"key", info.key}, {"size", info.size}, {"etag", info.etag}},
                     cf::status::created);
}

cf::task<cf::response> file_get(cf::request& req, cf::context& ctx) {
  auto object = co_await cf::r2(ctx.command()).get(std::string(req.param("key")));
  if (!object) co_return cf::json_error(cf::status::not_found, "no such file");
  std::string type = "application/octet-stream";
  if (auto it = object->http_metadata.find("contentType");
      it != object->http_metadata.end() && it->value().is_string()) {
    type = std::string(it->value().get_string());
  }
  cf::response res = cf::bytes(std::move(object->body).value_or(""), type);
  if (!object->etag.empty()) res.header("ETag", "\"" + object->etag + "\"");
  co_return res;
}

// --- Queues ---

cf::task<cf::response> events_send(cf::request& req, cf::context& ctx) {
  json::value message;
  const auto type = req.header("content-type").value_or("");
  if (type.starts_with("application/json")) {
    std::error_code ec;
    message = json::parse(req.body(), ec);
    if (ec) co_return cf::json_error(cf::status::bad_request, "body is not valid JSON");
  } else {
    message = req.text();
  }
  co_await cf::queue(ctx.command()).send(std::move(message));
  co_return cf::json(json::object{{"queued", true}}, cf::status::accepted);
}

}  // namespace

int main(int argc, char** argv) {
  cf::router app;
  app.use(cf::access_log());
  app.get("/", metadata_echo);
  app.get("/plaintext", plaintext);
  app.get("/json", json_hello);
  app.get("/healthz", healthz);

  app.get("/kv/{key}", kv_get);
  app.put("/kv/{key}", kv_put);
  app.del("/kv/{key}", kv_delete);
  app.post("/notes", notes_create);
  app.get("/notes", notes_list);
  const cf::route_options large_files{.max_body_bytes = 16 * 1024 * 1024};
  app.put("/files/{*key}", file_put, large_files);
  app.get("/files/{*key}", file_get);
  app.post("/events", events_send);
  return cf::run(app, argc, argv);
}
