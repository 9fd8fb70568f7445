#include "containerflare/command/r2.hpp"

#include "containerflare/command/base64.hpp"
#include "reply.hpp"

namespace containerflare {
namespace {

r2_object read_object(const boost::json::value& reply, std::string_view command) {
  const auto& object = detail::reply_object(reply, command);
  r2_object out;
  auto key = detail::string_field(object, "key", command);
  if (!key) detail::bad_reply(command, "an object needs a `key`");
  out.key = std::move(*key);
  const auto size = detail::integer_field(object, "size", command).value_or(0);
  if (size < 0) detail::bad_reply(command, "`size` is negative");
  out.size = static_cast<std::uint64_t>(size);
  out.etag = detail::string_field(object, "etag", command).value_or("");
  out.http_metadata = detail::object_field(object, "http_metadata", command);
  out.custom_metadata = detail::object_field(object, "custom_metadata", command);
  if (auto encoded = detail::string_field(object, "body_base64", command)) {
    out.body = base64_decode(*encoded);
    if (!out.body) detail::bad_reply(command, "`body_base64` is not valid base64");
  }
  return out;
}

}  // namespace

r2::r2(command_client& client, std::string binding)
    : client_(&client), binding_(std::move(binding)) {}

task<std::optional<r2_object>> r2::get(std::string key) {
  auto reply = co_await client_->invoke("r2.get", detail::keyed_payload(binding_, key));
  if (reply.is_null()) co_return std::nullopt;
  co_return read_object(reply, "r2.get");
}

task<std::optional<r2_object>> r2::head(std::string key) {
  auto reply = co_await client_->invoke("r2.head", detail::keyed_payload(binding_, key));
  if (reply.is_null()) co_return std::nullopt;
  auto object = read_object(reply, "r2.head");
  object.body.reset();  // head carries no body, whatever the host sent
  co_return object;
}

task<r2_object> r2::put(std::string key, std::string body, r2_put_options options) {
  auto payload = detail::keyed_payload(binding_, key);
  payload["body_base64"] = base64_encode(body);
  if (!options.http_metadata.empty()) payload["http_metadata"] = std::move(options.http_metadata);
  if (!options.custom_metadata.empty()) {
    payload["custom_metadata"] = std::move(options.custom_metadata);
  }
  const auto reply = co_await client_->invoke("r2.put", std::move(payload));
  co_return read_object(reply, "r2.put");
}

task<void> r2::remove(std::string key) {
  auto payload = detail::keyed_payload(binding_, key);
  co_await client_->invoke("r2.delete", std::move(payload));
}

task<r2_list_result> r2::list(r2_list_options options) {
  constexpr std::string_view command = "r2.list";
  auto payload = detail::request_payload(binding_);
  detail::add_paging(payload, options.prefix, options.limit, options.cursor);
  const auto reply = co_await client_->invoke(std::string(command), std::move(payload));
  const auto& object = detail::reply_object(reply, command);
  r2_list_result result;
  for (const auto& item : detail::array_field(object, "objects", command)) {
    result.objects.push_back(read_object(item, command));
  }
  result.truncated = detail::bool_field(object, "truncated", command, false);
  result.cursor = detail::string_field(object, "cursor", command);
  co_return result;
}

}  // namespace containerflare
