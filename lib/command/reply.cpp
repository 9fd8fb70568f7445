#include "reply.hpp"

#include <cmath>

#include "containerflare/command/error.hpp"

namespace containerflare::detail {
namespace {

const boost::json::value* find(const boost::json::object& object, std::string_view key) {
  auto it = object.find(boost::json::string_view(key.data(), key.size()));
  if (it == object.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

[[noreturn]] void bad_field(std::string_view command, std::string_view key,
                            std::string_view expected) {
  bad_reply(command, "`" + std::string(key) + "` must be " + std::string(expected));
}

}  // namespace

boost::json::object request_payload(const std::string& binding) {
  boost::json::object payload;
  if (!binding.empty()) payload["binding"] = binding;
  return payload;
}

boost::json::object keyed_payload(const std::string& binding, const std::string& key) {
  auto payload = request_payload(binding);
  payload["key"] = key;
  return payload;
}

void add_paging(boost::json::object& payload, const std::string& prefix,
                std::optional<std::uint32_t> limit, const std::string& cursor) {
  if (!prefix.empty()) payload["prefix"] = prefix;
  if (limit) payload["limit"] = *limit;
  if (!cursor.empty()) payload["cursor"] = cursor;
}

void bad_reply(std::string_view command, std::string_view what) {
  throw command_error(command_errc::serialization,
                      "unexpected reply to " + std::string(command) + ": " + std::string(what));
}

const boost::json::object& reply_object(const boost::json::value& reply, std::string_view command) {
  if (!reply.is_object()) bad_reply(command, "expected an object");
  return reply.get_object();
}

std::optional<std::string> string_field(const boost::json::object& object, std::string_view key,
                                        std::string_view command) {
  const auto* value = find(object, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) bad_field(command, key, "a string");
  return std::string(value->get_string());
}

std::optional<std::int64_t> integer_field(const boost::json::object& object, std::string_view key,
                                          std::string_view command) {
  const auto* value = find(object, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= INT64_MAX) {
    return static_cast<std::int64_t>(value->get_uint64());
  }
  // JavaScript hosts send every number as a double.
  if (value->is_double() && std::trunc(value->get_double()) == value->get_double() &&
      std::fabs(value->get_double()) < 9.007199254740992e15) {
    return static_cast<std::int64_t>(value->get_double());
  }
  bad_field(command, key, "an integer");
}

double number_field(const boost::json::object& object, std::string_view key,
                    std::string_view command) {
  const auto* value = find(object, key);
  if (value == nullptr) return 0;
  if (value->is_double()) return value->get_double();
  if (value->is_int64()) return static_cast<double>(value->get_int64());
  if (value->is_uint64()) return static_cast<double>(value->get_uint64());
  bad_field(command, key, "a number");
}

bool bool_field(const boost::json::object& object, std::string_view key, std::string_view command,
                bool fallback) {
  const auto* value = find(object, key);
  if (value == nullptr) return fallback;
  if (!value->is_bool()) bad_field(command, key, "a boolean");
  return value->get_bool();
}

boost::json::object object_field(const boost::json::object& object, std::string_view key,
                                 std::string_view command) {
  const auto* value = find(object, key);
  if (value == nullptr) return {};
  if (!value->is_object()) bad_field(command, key, "an object");
  return value->get_object();
}

const boost::json::array& array_field(const boost::json::object& object, std::string_view key,
                                      std::string_view command) {
  const auto* value = find(object, key);
  if (value == nullptr || !value->is_array()) bad_field(command, key, "an array");
  return value->get_array();
}

}  // namespace containerflare::detail
