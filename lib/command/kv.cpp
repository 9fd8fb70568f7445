#include "containerflare/command/kv.hpp"

#include "reply.hpp"

namespace containerflare {

kv::kv(command_client& client, std::string binding)
    : client_(&client), binding_(std::move(binding)) {}

task<std::optional<std::string>> kv::get(std::string key) {
  auto payload = detail::keyed_payload(binding_, key);
  payload["type"] = "text";
  const auto reply = co_await client_->invoke("kv.get", std::move(payload));
  if (reply.is_null()) co_return std::nullopt;
  if (!reply.is_string()) detail::bad_reply("kv.get", "expected a string or null");
  co_return std::string(reply.get_string());
}

task<boost::json::value> kv::get_json(std::string key) {
  auto payload = detail::keyed_payload(binding_, key);
  payload["type"] = "json";
  co_return co_await client_->invoke("kv.get", std::move(payload));
}

task<void> kv::put(std::string key, std::string value, kv_put_options options) {
  auto payload = detail::keyed_payload(binding_, key);
  payload["value"] = value;
  if (options.expiration_ttl) payload["expiration_ttl"] = *options.expiration_ttl;
  if (options.metadata) payload["metadata"] = std::move(*options.metadata);
  co_await client_->invoke("kv.put", std::move(payload));
}

task<void> kv::remove(std::string key) {
  auto payload = detail::keyed_payload(binding_, key);
  co_await client_->invoke("kv.delete", std::move(payload));
}

task<kv_list_result> kv::list(kv_list_options options) {
  constexpr std::string_view command = "kv.list";
  auto payload = detail::request_payload(binding_);
  detail::add_paging(payload, options.prefix, options.limit, options.cursor);
  const auto reply = co_await client_->invoke(std::string(command), std::move(payload));
  const auto& object = detail::reply_object(reply, command);
  kv_list_result result;
  for (const auto& entry : detail::array_field(object, "keys", command)) {
    const auto& key = detail::reply_object(entry, command);
    auto name = detail::string_field(key, "name", command);
    if (!name) detail::bad_reply(command, "every key needs a `name`");
    result.keys.push_back({std::move(*name), detail::integer_field(key, "expiration", command),
                           key.contains("metadata") ? key.at("metadata") : nullptr});
  }
  result.cursor = detail::string_field(object, "cursor", command);
  result.list_complete = detail::bool_field(object, "list_complete", command, !result.cursor);
  co_return result;
}

}  // namespace containerflare
