#pragma once
// Shared pieces of the typed helpers (kv, d1, r2, queue): building payloads with the optional
// binding, and reading reply fields with a `serialization` error for a wrong shape.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace containerflare::detail {

// {} or {"binding": binding}.
boost::json::object request_payload(const std::string& binding);
// {"key": key} plus the binding.
boost::json::object keyed_payload(const std::string& binding, const std::string& key);
// Adds the paging fields of kv.list / r2.list that are set.
void add_paging(boost::json::object& payload, const std::string& prefix,
                std::optional<std::uint32_t> limit, const std::string& cursor);

[[noreturn]] void bad_reply(std::string_view command, std::string_view what);

const boost::json::object& reply_object(const boost::json::value& reply, std::string_view command);

// Fields: absent or null gives the fallback; any other wrong type throws bad_reply.
std::optional<std::string> string_field(const boost::json::object& object, std::string_view key,
                                        std::string_view command);
std::optional<std::int64_t> integer_field(const boost::json::object& object, std::string_view key,
                                          std::string_view command);
double number_field(const boost::json::object& object, std::string_view key,
                    std::string_view command);
bool bool_field(const boost::json::object& object, std::string_view key, std::string_view command,
                bool fallback);
boost::json::object object_field(const boost::json::object& object, std::string_view key,
                                 std::string_view command);
// Required.
const boost::json::array& array_field(const boost::json::object& object, std::string_view key,
                                      std::string_view command);

}  // namespace containerflare::detail
