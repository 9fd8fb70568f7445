#pragma once
// Workers KV over the command channel (kv.get / kv.put / kv.delete / kv.list).
//
//   auto value = co_await cf::kv(ctx.command()).get("visits");   // std::optional<std::string>
//
// Each call throws command_error like command_client::invoke; a reply of the wrong shape is a
// `serialization` error. A non-empty `binding` is sent as payload.binding.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "containerflare/command/client.hpp"
#include "containerflare/task.hpp"

namespace containerflare {

struct kv_put_options {
  std::optional<std::int64_t> expiration_ttl;  // seconds, at least 60 on Cloudflare
  std::optional<boost::json::value> metadata;
};

struct kv_list_options {
  std::string prefix;
  std::optional<std::uint32_t> limit;
  std::string cursor;
};

struct kv_key {
  std::string name;
  std::optional<std::int64_t> expiration;  // seconds since the epoch
  boost::json::value metadata;             // null when none
};

struct kv_list_result {
  std::vector<kv_key> keys;
  bool list_complete = true;
  std::optional<std::string> cursor;
};

class kv {
 public:
  explicit kv(command_client& client, std::string binding = {});

  task<std::optional<std::string>> get(std::string key);
  // kv.get with type "json": the stored JSON value, null when the key is missing.
  task<boost::json::value> get_json(std::string key);
  task<void> put(std::string key, std::string value, kv_put_options options = {});
  task<void> remove(std::string key);  // kv.delete
  task<kv_list_result> list(kv_list_options options = {});

 private:
  command_client* client_;
  std::string binding_;
};

}  // namespace containerflare
