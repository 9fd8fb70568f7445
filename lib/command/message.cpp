#include "containerflare/command/message.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include <simdjson.h>
#include <boost/json/serializer.hpp>

namespace containerflare {
namespace {

namespace od = simdjson::ondemand;

// Unknown fields are validated but not kept; serde has no depth limit there, so ours is only a
// guard against unbounded recursion.
constexpr std::size_t unknown_field_max_depth = 512;

void append_json(std::string& out, boost::json::serializer& sr) {
  std::array<char, 4096> chunk;
  while (!sr.done()) out.append(sr.read(chunk.data(), chunk.size()));
}

void append_json(std::string& out, const boost::json::value& value) {
  boost::json::serializer sr;
  sr.reset(&value);
  append_json(out, sr);
}

void append_json_string(std::string& out, std::string_view text) {
  boost::json::serializer sr;
  sr.reset(boost::json::string_view(text.data(), text.size()));
  append_json(out, sr);
}

void append_id(std::string& out, std::uint64_t id) {
  std::array<char, 24> digits;
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), id).ptr;
  out.append(digits.data(), end);
}

std::string describe(simdjson::error_code error) {
  if (error == simdjson::EMPTY) return "EOF while parsing a value";
  return simdjson::error_message(error);
}

// Converts (or, with out == nullptr, only validates) one JSON value. `depth` is the nesting level
// of a container starting here; the outer message object is level 1.
bool convert(od::value value, boost::json::value* out, std::size_t depth, std::size_t max_depth,
             std::string& problem) {
  od::json_type type;
  if (auto e = value.type().get(type)) return problem = describe(e), false;
  switch (type) {
    case od::json_type::array: {
      if (depth > max_depth) return problem = "recursion limit exceeded", false;
      od::array array;
      if (auto e = value.get_array().get(array)) return problem = describe(e), false;
      boost::json::array* target = out != nullptr ? &out->emplace_array() : nullptr;
      for (auto element : array) {
        od::value item;
        if (auto e = element.get(item)) return problem = describe(e), false;
        boost::json::value* slot = target != nullptr ? &target->emplace_back(nullptr) : nullptr;
        if (!convert(item, slot, depth + 1, max_depth, problem)) return false;
      }
      return true;
    }
    case od::json_type::object: {
      if (depth > max_depth) return problem = "recursion limit exceeded", false;
      od::object object;
      if (auto e = value.get_object().get(object)) return problem = describe(e), false;
      boost::json::object* target = out != nullptr ? &out->emplace_object() : nullptr;
      for (auto field : object) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return problem = describe(e), false;
        od::value item;
        if (auto e = field.value().get(item)) return problem = describe(e), false;
        // A repeated key keeps the last value, as serde_json's Map does.
        boost::json::value* slot =
            target != nullptr ? &(*target)[boost::json::string_view(key.data(), key.size())]
                              : nullptr;
        if (!convert(item, slot, depth + 1, max_depth, problem)) return false;
      }
      return true;
    }
    case od::json_type::number: {
      od::number number;
      if (value.get_number().get(number) != simdjson::SUCCESS) {
        // Integers beyond 64 bits become doubles, as in serde_json.
        double d;
        if (auto e = value.get_double().get(d)) return problem = describe(e), false;
        if (out != nullptr) *out = d;
        return true;
      }
      if (out == nullptr) return true;
      if (number.is_double()) {
        *out = number.get_double();
      } else if (number.is_uint64()) {
        *out = number.get_uint64();
      } else if (number.get_int64() == 0 && value.raw_json_token().starts_with('-')) {
        *out = -0.0;  // serde_json reads "-0" as the float -0.0
      } else {
        *out = number.get_int64();
      }
      return true;
    }
    case od::json_type::string: {
      std::string_view text;
      if (auto e = value.get_string().get(text)) return problem = describe(e), false;
      if (out != nullptr) *out = boost::json::string_view(text.data(), text.size());
      return true;
    }
    case od::json_type::boolean: {
      bool b;
      if (auto e = value.get_bool().get(b)) return problem = describe(e), false;
      if (out != nullptr) *out = b;
      return true;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = value.is_null().get(is_null); e || !is_null) {
        return problem = "invalid literal", false;
      }
      if (out != nullptr) *out = nullptr;
      return true;
    }
  }
  return problem = "unexpected JSON value", false;
}

const char* type_name(od::value& value) {
  od::json_type type;
  if (value.type().get(type)) return "invalid value";
  switch (type) {
    case od::json_type::array:
      return "sequence";
    case od::json_type::object:
      return "map";
    case od::json_type::number:
      return "number";
    case od::json_type::string:
      return "string";
    case od::json_type::boolean:
      return "boolean";
    case od::json_type::null:
      return "null";
  }
  return "value";
}

// Field decoders shared by the object and array forms. They return false with `problem` set;
// a wrong type is a problem of the message, not of the JSON text, so parsing can go on (to read
// the id) after one.
struct field_reader {
  std::string& problem;
  std::string first_problem;

  void note(std::string text) {
    if (first_problem.empty()) first_problem = std::move(text);
  }

  bool wrong_type(od::value& value, std::string_view name, std::string_view expected) {
    note("invalid type: " + std::string(type_name(value)) + ", expected " + std::string(expected) +
         " for `" + std::string(name) + "`");
    return false;
  }

  bool boolean(od::value value, std::string_view name, bool& out) {
    if (value.get_bool().get(out) == simdjson::SUCCESS) return true;
    return wrong_type(value, name, "a boolean");
  }

  bool required_string(od::value value, std::string_view name, std::string& out) {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return wrong_type(value, name, "a string");
    }
    out = std::string(text);
    return true;
  }

  bool optional_string(od::value value, std::string_view name, std::optional<std::string>& out) {
    bool is_null = false;
    if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
      out.reset();
      return true;
    }
    std::string text;
    if (!required_string(value, name, text)) return false;
    out = std::move(text);
    return true;
  }

  bool id(od::value value, std::optional<std::uint64_t>& out) {
    bool is_null = false;
    if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) return true;
    std::uint64_t n;
    if (value.get_uint64().get(n) == simdjson::SUCCESS) {
      out = n;
      return true;
    }
    note("`id` must be an unsigned integer");
    return false;
  }

  // A payload's structure errors are fatal: nothing after it can be read reliably.
  bool payload(od::value value, boost::json::value& out) {
    return convert(value, &out, 2, message_parser::max_depth, problem);
  }

  bool unknown(od::value value) {
    return convert(value, nullptr, 2, unknown_field_max_depth, problem);
  }
};

// Walks a top-level object; `on_field` returns false on a fatal problem.
template <class OnField>
bool for_each_field(od::document& doc, std::string& problem, OnField&& on_field) {
  od::object object;
  if (auto e = doc.get_object().get(object)) return problem = describe(e), false;
  for (auto field : object) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return problem = describe(e), false;
    od::value value;
    if (auto e = field.value().get(value)) return problem = describe(e), false;
    if (!on_field(key, value)) return false;
  }
  return true;
}

template <class OnElement>
bool for_each_element(od::document& doc, std::string& problem, std::size_t& count,
                      OnElement&& on_element) {
  od::array array;
  if (auto e = doc.get_array().get(array)) return problem = describe(e), false;
  count = 0;
  for (auto element : array) {
    od::value value;
    if (auto e = element.get(value)) return problem = describe(e), false;
    if (!on_element(count++, value)) return false;
  }
  return true;
}

bool duplicate(bool& seen, std::string_view name, field_reader& reader) {
  if (seen) reader.note("duplicate field `" + std::string(name) + "`");
  const bool was_seen = seen;
  seen = true;
  return was_seen;
}

}  // namespace

void append_request_line(std::string& out, std::uint64_t id, std::string_view command,
                         const boost::json::value& payload) {
  out += "{\"id\":";
  append_id(out, id);
  out += ",\"command\":";
  append_json_string(out, command);
  out += ",\"payload\":";
  append_json(out, payload);
  out += "}\n";
}

void append_request_line(std::string& out, const command_request& request) {
  if (request.id) {
    append_request_line(out, *request.id, request.command, request.payload);
    return;
  }
  out += "{\"command\":";
  append_json_string(out, request.command);
  out += ",\"payload\":";
  append_json(out, request.payload);
  out += "}\n";
}

void append_response_line(std::string& out, const command_response& response) {
  out += '{';
  if (response.id) {
    out += "\"id\":";
    append_id(out, *response.id);
    out += ',';
  }
  out += response.ok ? "\"ok\":true,\"payload\":" : "\"ok\":false,\"payload\":";
  append_json(out, response.payload);
  out += ",\"diagnostic\":";
  if (response.diagnostic) {
    append_json_string(out, *response.diagnostic);
  } else {
    out += "null";
  }
  out += "}\n";
}

struct message_parser::impl {
  od::parser parser;
  std::string padded;  // copy of texts that lack padding
  od::document doc;

  // Starts a document over `text`; false with `problem` set when it is not JSON at all.
  bool start(std::string_view text, std::size_t readable, std::string& problem) {
    const char* data = text.data();
    std::size_t capacity = readable;
    if (readable < text.size() + simdjson::SIMDJSON_PADDING) {
      padded.assign(text);
      padded.resize(text.size() + simdjson::SIMDJSON_PADDING, ' ');
      data = padded.data();
      capacity = padded.size();
    }
    if (auto e = parser.iterate(data, text.size(), capacity).get(doc)) {
      problem = describe(e);
      return false;
    }
    return true;
  }

  // After the message: only whitespace may follow.
  bool at_end(std::string& problem) {
    const char* location = nullptr;
    if (doc.current_location().get(location) == simdjson::OUT_OF_BOUNDS) return true;
    problem = "trailing characters";
    return false;
  }

  od::json_type type(std::string& problem) {
    od::json_type t{};
    if (auto e = doc.type().get(t)) problem = describe(e);
    return t;
  }
};

message_parser::message_parser() : impl_(std::make_unique<impl>()) {}
message_parser::~message_parser() = default;
message_parser::message_parser(message_parser&&) noexcept = default;
message_parser& message_parser::operator=(message_parser&&) noexcept = default;

std::size_t message_parser::padding() noexcept {
  return simdjson::SIMDJSON_PADDING;
}

bool message_parser::parse_response(std::string_view text, command_response& out,
                                    std::string& problem, std::size_t readable) {
  out = command_response{};
  problem.clear();
  if (!impl_->start(text, readable, problem)) return false;
  field_reader reader{problem, {}};
  bool seen_ok = false, seen_payload = false, seen_diagnostic = false, seen_id = false;
  bool parsed = false;
  const auto type = impl_->type(problem);
  if (!problem.empty()) return false;
  if (type == od::json_type::object) {
    parsed = for_each_field(impl_->doc, problem, [&](std::string_view key, od::value value) {
      if (key == "ok") {
        if (!duplicate(seen_ok, key, reader)) reader.boolean(value, key, out.ok);
      } else if (key == "payload") {
        if (!duplicate(seen_payload, key, reader)) return reader.payload(value, out.payload);
      } else if (key == "diagnostic") {
        if (!duplicate(seen_diagnostic, key, reader)) {
          reader.optional_string(value, key, out.diagnostic);
        }
      } else if (key == "id") {
        if (!duplicate(seen_id, key, reader)) reader.id(value, out.id);
      } else {
        return reader.unknown(value);
      }
      return true;
    });
    if (parsed && !seen_ok) reader.note("missing field `ok`");
  } else if (type == od::json_type::array) {
    // serde also reads a struct from a sequence: [ok, payload, diagnostic].
    std::size_t count = 0;
    parsed = for_each_element(impl_->doc, problem, count, [&](std::size_t i, od::value value) {
      switch (i) {
        case 0:
          reader.boolean(value, "ok", out.ok);
          return true;
        case 1:
          return reader.payload(value, out.payload);
        case 2:
          reader.optional_string(value, "diagnostic", out.diagnostic);
          return true;
        default:
          problem = "trailing characters";
          return false;
      }
    });
    if (parsed && count == 0) {
      reader.note("invalid length 0, expected struct CommandResponse with 3 elements");
    }
  } else {
    problem = "invalid type: " + std::string(type == od::json_type::null ? "null" : "scalar") +
              ", expected struct CommandResponse";
    return false;
  }
  if (!parsed) return false;
  if (!impl_->at_end(problem)) return false;
  if (!reader.first_problem.empty()) {
    problem = std::move(reader.first_problem);
    return false;
  }
  return true;
}

bool message_parser::parse_request(std::string_view text, command_request& out,
                                   std::string& problem, std::size_t readable) {
  out = command_request{};
  problem.clear();
  if (!impl_->start(text, readable, problem)) return false;
  const auto type = impl_->type(problem);
  if (!problem.empty()) return false;
  if (type != od::json_type::object) {
    problem = "invalid type, expected struct CommandRequest";
    return false;
  }
  field_reader reader{problem, {}};
  bool seen_command = false, seen_payload = false, seen_id = false;
  const bool parsed =
      for_each_field(impl_->doc, problem, [&](std::string_view key, od::value value) {
        if (key == "command") {
          if (!duplicate(seen_command, key, reader))
            reader.required_string(value, key, out.command);
        } else if (key == "payload") {
          if (!duplicate(seen_payload, key, reader)) return reader.payload(value, out.payload);
        } else if (key == "id") {
          if (!duplicate(seen_id, key, reader)) reader.id(value, out.id);
        } else {
          return reader.unknown(value);
        }
        return true;
      });
  if (!parsed || !impl_->at_end(problem)) return false;
  if (!seen_command) reader.note("missing field `command`");
  if (!reader.first_problem.empty()) {
    problem = std::move(reader.first_problem);
    return false;
  }
  return true;
}

}  // namespace containerflare
