// parse_metadata_header: simdjson On-Demand over the header value. Every value is visited, known
// or not, so the whole document is validated as serde_json would; known fields are decoded in
// place and a value of the wrong type is validated, then dropped.

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include <simdjson.h>

#include "containerflare/metadata.hpp"
#include "metadata_detail.hpp"

namespace containerflare {

namespace {

namespace od = simdjson::ondemand;
using od::json_type;

// Values nested deeper than this reject the header. serde_json has no limit inside ignored
// fields; this bound keeps the recursive walk's stack use small whatever the header holds.
constexpr int max_nesting = 1024;

// Top-level fields. The first 27 are the v0.2 fields in serialisation order (the positional
// array form relies on it); the rest are the extension fields.
enum class field : std::uint8_t {
  request_id,
  colo,
  region,
  country,
  client_ip,
  host,
  scheme,
  platform,
  worker_name,
  project_id,
  cloud_run_service,
  cloud_run_revision,
  cloud_run_configuration,
  cloud_run_region,
  trace_context,
  forwarded_for,
  forwarded_proto,
  forwarded,
  user_agent,
  accept,
  accept_language,
  accept_encoding,
  sec_gpc,
  client_hints,
  method,
  path,
  raw_url,
  // extensions
  region_code,
  city,
  continent,
  timezone,
  asn,
  as_organization,
  latitude,
  longitude,
  postal_code,
  http_protocol,
  tls_version,
};
constexpr std::size_t v02_field_count = 27;
static_assert(static_cast<std::size_t>(field::raw_url) + 1 == v02_field_count);

// The names of the fields above, in the same order.
constexpr std::array<std::string_view, 38> top_level_names = {
    "request_id", "colo", "region", "country", "client_ip", "host", "scheme", "platform",
    "worker_name", "project_id", "cloud_run_service", "cloud_run_revision",
    "cloud_run_configuration", "cloud_run_region", "trace_context", "forwarded_for",
    "forwarded_proto", "forwarded", "user_agent", "accept", "accept_language", "accept_encoding",
    "sec_gpc", "client_hints", "method", "path", "raw_url",
    // extensions
    "region_code", "city", "continent", "timezone", "asn", "as_organization", "latitude",
    "longitude", "postal_code", "http_protocol", "tls_version"};
static_assert(top_level_names[static_cast<std::size_t>(field::raw_url)] == "raw_url");
static_assert(top_level_names[static_cast<std::size_t>(field::tls_version)] == "tls_version");

// The names grouped by length, so that a key is compared only with the few names of its length
// (a binary search over all of them cost a quarter of the whole parse).
constexpr std::size_t longest_name = 23;  // "cloud_run_configuration"
struct name_index {
  std::array<std::uint8_t, top_level_names.size()> by_length{};  // field numbers
  std::array<std::uint8_t, longest_name + 2> first{};  // by_length[first[n]..first[n+1]): length n
};
constexpr name_index top_level_index = [] {
  name_index index;
  std::size_t position = 0;
  for (std::size_t length = 0; length <= longest_name + 1; ++length) {
    index.first[length] = static_cast<std::uint8_t>(position);
    for (std::size_t id = 0; id < top_level_names.size(); ++id) {
      if (top_level_names[id].size() == length) {
        index.by_length[position++] = static_cast<std::uint8_t>(id);
      }
    }
  }
  return index;
}();
static_assert(top_level_index.first[longest_name + 1] == top_level_names.size(),
              "a name is longer than longest_name");

// Names are never empty; comparing the first letters spares most calls to memcmp.
bool same_name(std::string_view name, std::string_view key) noexcept {
  return name.size() == key.size() && name[0] == key[0] &&
         std::memcmp(name.data(), key.data(), key.size()) == 0;
}

std::optional<field> find_top_level_field(std::string_view key) noexcept {
  if (key.size() > longest_name) return std::nullopt;
  for (std::size_t i = top_level_index.first[key.size()]; i < top_level_index.first[key.size() + 1];
       ++i) {
    const std::uint8_t id = top_level_index.by_length[i];
    const std::string_view name = top_level_names[id];
    if (same_name(name, key)) {
      return static_cast<field>(id);
    }
  }
  return std::nullopt;
}

// Index of `key` in a small list of names, or -1.
template <std::size_t N>
int index_of(const std::array<std::string_view, N>& names, std::string_view key) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (same_name(names[i], key)) return static_cast<int>(i);
  }
  return -1;
}

// JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// On-Demand does not check the numbers it is not asked to convert, and converting would reject
// forms serde_json accepts in ignored fields (1e400, integers beyond 64 bits).
bool is_json_number(std::string_view token) noexcept {
  std::size_t i = 0;
  const auto digit = [&](std::size_t at) {
    return at < token.size() && token[at] >= '0' && token[at] <= '9';
  };
  const auto digits = [&] {
    const std::size_t start = i;
    while (digit(i)) ++i;
    return i > start;
  };
  if (i < token.size() && token[i] == '-') ++i;
  if (i < token.size() && token[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < token.size() && token[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == token.size();
}

std::string_view trim_trailing_space(std::string_view s) noexcept {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The raw text of a number value, or nullopt when it is not a valid JSON number.
std::optional<std::string_view> number_token(od::value& value) noexcept {
  const std::string_view token = trim_trailing_space(value.raw_json_token());
  if (!is_json_number(token)) return std::nullopt;
  return token;
}

// The key of an object member. Keys without escapes (all the Worker sends) are read in place;
// decoding every key through simdjson costs more than the rest of the member.
bool member_key(od::field& member, std::string_view& key) noexcept {
  const char* const raw = member.key().raw();
  const char* end = raw;
  while (*end != '"' && *end != '\\') ++end;  // stage 1 guarantees the closing quote
  if (*end == '"') {
    key = std::string_view(raw, static_cast<std::size_t>(end - raw));
    return true;
  }
  return !member.unescaped_key().get(key);
}

// Calls visit(key, value) for each member of an object, in order; stops at the first false.
// The value is visited where the member holds it: copying simdjson's small iterator objects
// around costs store-forwarding stalls that showed up as a quarter of the parse.
template <class Visit>
bool for_each_member(od::object& object, Visit&& visit) {
  for (auto member : object) {
    if (member.error()) return false;
    od::field& opened = member.value_unsafe();
    std::string_view key;
    if (!member_key(opened, key) || !visit(key, opened.value())) return false;
  }
  return true;
}

// Calls visit(value) for each element of an array, in order; stops at the first false.
template <class Visit>
bool for_each_element(od::array& array, Visit&& visit) {
  for (auto element : array) {
    if (element.error() || !visit(element.value_unsafe())) return false;
  }
  return true;
}

// Reads a value whose type is null; false when it is not exactly `null`.
bool consume_null(od::value& value) noexcept {
  bool is_null = false;
  return !value.is_null().get(is_null) && is_null;
}

// Validates a value and everything inside it, keeping nothing. False when it is not valid JSON.
bool skip_value(od::value& value, int depth) noexcept {
  if (depth > max_nesting) return false;
  json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case json_type::object: {
      od::object object;
      if (value.get_object().get(object)) return false;
      return for_each_member(object, [depth](std::string_view, od::value& child) {
        return skip_value(child, depth + 1);
      });
    }
    case json_type::array: {
      od::array array;
      if (value.get_array().get(array)) return false;
      return for_each_element(array,
                              [depth](od::value& child) { return skip_value(child, depth + 1); });
    }
    case json_type::string: {
      std::string_view text;
      return !value.get_string().get(text);
    }
    case json_type::number:
      return number_token(value).has_value();
    case json_type::boolean: {
      bool b;
      return !value.get_bool().get(b);
    }
    case json_type::null:
      return consume_null(value);
  }
  return false;
}

// The readers below return false only when the header must be rejected (invalid JSON or a
// duplicate field). A value of the wrong type is validated and leaves `out` unchanged.

// How a reader took a value of a given type.
enum class fit { taken, wrong_type, invalid };

// Dispatches on the value's type: null clears `out`; `read_typed(type)` handles the others, and a
// type it does not take is validated and dropped.
template <class T, class ReadTyped>
bool read_nullable(od::value& value, std::optional<T>& out, int depth, ReadTyped&& read_typed) {
  json_type type;
  if (value.type().get(type)) return false;
  if (type == json_type::null) {
    out.reset();
    return consume_null(value);
  }
  switch (read_typed(type)) {
    case fit::taken:
      return true;
    case fit::wrong_type:
      return skip_value(value, depth);
    case fit::invalid:
      break;
  }
  return false;
}

// The text of a string value; nullopt when its escapes are invalid.
std::optional<std::string_view> string_text(od::value& value) noexcept {
  std::string_view text;
  if (value.get_string().get(text)) return std::nullopt;
  return text;
}

// string or null
bool read_optional_string(od::value& value, std::optional<std::string>& out, int depth) {
  return read_nullable(value, out, depth, [&](json_type type) {
    if (type != json_type::string) return fit::wrong_type;
    const auto text = string_text(value);
    if (!text) return fit::invalid;
    out.emplace(*text);
    return fit::taken;
  });
}

// string only (method, path)
bool read_string(od::value& value, std::string& out, int depth) {
  json_type type;
  if (value.type().get(type)) return false;
  if (type != json_type::string) return skip_value(value, depth);
  const auto text = string_text(value);
  if (!text) return false;
  out.assign(*text);
  return true;
}

// bool or null
bool read_optional_bool(od::value& value, std::optional<bool>& out, int depth) {
  return read_nullable(value, out, depth, [&](json_type type) {
    if (type != json_type::boolean) return fit::wrong_type;
    bool b;
    if (value.get_bool().get(b)) return fit::invalid;
    out = b;
    return fit::taken;
  });
}

// array of strings; anything else (null included) is the wrong type
bool read_string_array(od::value& value, std::vector<std::string>& out, int depth) {
  json_type type;
  if (value.type().get(type)) return false;
  if (type != json_type::array) return skip_value(value, depth);
  od::array array;
  if (value.get_array().get(array)) return false;
  std::vector<std::string> items;
  bool well_typed = true;
  const bool valid = for_each_element(array, [&](od::value& child) {
    json_type child_type;
    if (child.type().get(child_type)) return false;
    if (child_type == json_type::string && well_typed) {
      const auto text = string_text(child);
      if (!text) return false;
      items.emplace_back(*text);
      return true;
    }
    well_typed = false;
    return skip_value(child, depth + 1);
  });
  if (!valid) return false;
  if (well_typed) out = std::move(items);
  return true;
}

// Parses digits into a uint32; false on anything else or overflow.
bool parse_u32(std::string_view digits, std::uint32_t& out) noexcept {
  if (digits.empty() || digits.size() > 10) return false;
  std::uint64_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > UINT32_MAX) return false;
  out = static_cast<std::uint32_t>(value);
  return true;
}

// The text of a number (as written) or of a string (decoded).
fit number_or_string_text(od::value& value, json_type type, std::string_view& text) {
  std::optional<std::string_view> found;
  if (type == json_type::number) {
    found = number_token(value);
  } else if (type == json_type::string) {
    found = string_text(value);
  } else {
    return fit::wrong_type;
  }
  if (!found) return fit::invalid;
  text = *found;
  return fit::taken;
}

// unsigned integer, string of digits, or null
bool read_asn(od::value& value, std::optional<std::uint32_t>& out, int depth) {
  return read_nullable(value, out, depth, [&](json_type type) {
    std::string_view digits;
    const fit result = number_or_string_text(value, type, digits);
    std::uint32_t n;
    if (result == fit::taken && parse_u32(digits, n)) out = n;  // other numbers are dropped
    return result;
  });
}

// string, number (kept as written) or null
bool read_coordinate(od::value& value, std::optional<std::string>& out, int depth) {
  return read_nullable(value, out, depth, [&](json_type type) {
    std::string_view text;
    const fit result = number_or_string_text(value, type, text);
    if (result == fit::taken) out.emplace(text);
    return result;
  });
}

// Reads an object whose members are all of one kind, rejecting duplicates of known names.
// `read(index, value)` handles a known member.
template <std::size_t N, class Read>
bool read_object_members(od::value& value, const std::array<std::string_view, N>& names, int depth,
                         Read&& read) {
  od::object object;
  if (value.get_object().get(object)) return false;
  std::bitset<N> seen;
  return for_each_member(object, [&](std::string_view key, od::value& child) {
    const int index = index_of(names, key);
    if (index < 0) return skip_value(child, depth + 1);
    if (seen.test(static_cast<std::size_t>(index))) return false;  // duplicate field
    seen.set(static_cast<std::size_t>(index));
    return read(index, child);
  });
}

// Runs `read_object` when the value is an object; null clears `out`; other types are dropped.
template <class T, class ReadObject>
bool read_optional_object(od::value& value, std::optional<T>& out, int depth,
                          ReadObject&& read_object) {
  return read_nullable(value, out, depth, [&](json_type type) {
    if (type != json_type::object) return fit::wrong_type;
    T parsed{};
    if (!read_object(parsed)) return fit::invalid;
    out = std::move(parsed);
    return fit::taken;
  });
}

constexpr std::array<std::string_view, 5> trace_context_names = {"trace_id", "span_id", "sampled",
                                                                 "project_id", "raw"};

bool read_trace_context(od::value& value, std::optional<trace_context_info>& out, int depth) {
  return read_optional_object(value, out, depth, [&](trace_context_info& trace) {
    return read_object_members(value, trace_context_names, depth, [&](int index, od::value& child) {
      switch (index) {
        case 0:
          return read_optional_string(child, trace.trace_id, depth + 1);
        case 1:
          return read_optional_string(child, trace.span_id, depth + 1);
        case 2:
          return read_optional_bool(child, trace.sampled, depth + 1);
        case 3:
          return read_optional_string(child, trace.project_id, depth + 1);
        default:
          return read_optional_string(child, trace.raw, depth + 1);
      }
    });
  });
}

constexpr std::array<std::string_view, 9> client_hint_names = {
    "ua",         "ua_mobile", "ua_platform",         "ua_arch", "ua_platform_version", "ua_model",
    "ua_bitness", "ua_wow64",  "ua_full_version_list"};

bool read_client_hints(od::value& value, std::optional<client_hints_info>& out, int depth) {
  return read_optional_object(value, out, depth, [&](client_hints_info& hints) {
    std::optional<std::string>* const slots[] = {&hints.ua,
                                                 &hints.ua_mobile,
                                                 &hints.ua_platform,
                                                 &hints.ua_arch,
                                                 &hints.ua_platform_version,
                                                 &hints.ua_model,
                                                 &hints.ua_bitness,
                                                 &hints.ua_wow64,
                                                 &hints.ua_full_version_list};
    return read_object_members(value, client_hint_names, depth, [&](int index, od::value& child) {
      return read_optional_string(child, *slots[index], depth + 1);
    });
  });
}

// The union of both variants' fields: the tag may come last, so values are held until it is
// known. Cloudflare uses index 0; Cloud Run uses 1..5.
constexpr std::array<std::string_view, 6> platform_field_names = {
    "worker_name", "service", "revision", "configuration", "project_id", "region"};

// The platform object; a tag other than "cloudflare" / "cloud_run" drops it.
bool read_platform_object(od::value& value, std::optional<metadata_platform>& out, int depth) {
  enum class tag_kind { missing, cloudflare, cloud_run, unusable };
  tag_kind tag = tag_kind::missing;
  std::array<std::optional<std::string>, platform_field_names.size()> values;
  std::array<int, platform_field_names.size()> occurrences{};

  od::object object;
  if (value.get_object().get(object)) return false;
  const bool valid = for_each_member(object, [&](std::string_view key, od::value& child) {
    if (key == "platform") {
      if (tag != tag_kind::missing) return false;  // duplicate tag
      json_type tag_type;
      if (child.type().get(tag_type)) return false;
      if (tag_type != json_type::string) {
        tag = tag_kind::unusable;
        return skip_value(child, depth + 1);
      }
      const auto name = string_text(child);
      if (!name) return false;
      tag = *name == "cloudflare"  ? tag_kind::cloudflare
            : *name == "cloud_run" ? tag_kind::cloud_run
                                   : tag_kind::unusable;
      return true;
    }
    const int index = index_of(platform_field_names, key);
    if (index < 0) return skip_value(child, depth + 1);
    ++occurrences[static_cast<std::size_t>(index)];
    return read_optional_string(child, values[static_cast<std::size_t>(index)], depth + 1);
  });
  if (!valid) return false;

  // serde reads the variant's own fields only: a repeated field of the other variant is ignored.
  if (tag == tag_kind::cloudflare) {
    if (occurrences[0] > 1) return false;
    out = cloudflare_platform{std::move(values[0])};
  } else if (tag == tag_kind::cloud_run) {
    if (std::any_of(occurrences.begin() + 1, occurrences.end(), [](int n) { return n > 1; })) {
      return false;
    }
    out = cloud_run_platform{std::move(values[1]), std::move(values[2]), std::move(values[3]),
                             std::move(values[4]), std::move(values[5])};
  }
  return true;
}

bool read_platform(od::value& value, std::optional<metadata_platform>& out, int depth) {
  return read_nullable(value, out, depth, [&](json_type type) {
    if (type != json_type::object) return fit::wrong_type;
    return read_platform_object(value, out, depth) ? fit::taken : fit::invalid;
  });
}

bool read_top_level_field(field id, od::value& value, request_metadata& m) {
  constexpr int depth = 1;
  switch (id) {
    case field::request_id:
      return read_optional_string(value, m.request_id, depth);
    case field::colo:
      return read_optional_string(value, m.colo, depth);
    case field::region:
      return read_optional_string(value, m.region, depth);
    case field::country:
      return read_optional_string(value, m.country, depth);
    case field::client_ip:
      return read_optional_string(value, m.client_ip, depth);
    case field::host:
      return read_optional_string(value, m.host, depth);
    case field::scheme:
      return read_optional_string(value, m.scheme, depth);
    case field::platform:
      return read_platform(value, m.platform, depth);
    case field::worker_name:
      return read_optional_string(value, m.worker_name, depth);
    case field::project_id:
      return read_optional_string(value, m.project_id, depth);
    case field::cloud_run_service:
      return read_optional_string(value, m.cloud_run_service, depth);
    case field::cloud_run_revision:
      return read_optional_string(value, m.cloud_run_revision, depth);
    case field::cloud_run_configuration:
      return read_optional_string(value, m.cloud_run_configuration, depth);
    case field::cloud_run_region:
      return read_optional_string(value, m.cloud_run_region, depth);
    case field::trace_context:
      return read_trace_context(value, m.trace_context, depth);
    case field::forwarded_for:
      return read_string_array(value, m.forwarded_for, depth);
    case field::forwarded_proto:
      return read_optional_string(value, m.forwarded_proto, depth);
    case field::forwarded:
      return read_optional_string(value, m.forwarded, depth);
    case field::user_agent:
      return read_optional_string(value, m.user_agent, depth);
    case field::accept:
      return read_optional_string(value, m.accept, depth);
    case field::accept_language:
      return read_optional_string(value, m.accept_language, depth);
    case field::accept_encoding:
      return read_optional_string(value, m.accept_encoding, depth);
    case field::sec_gpc:
      return read_optional_string(value, m.sec_gpc, depth);
    case field::client_hints:
      return read_client_hints(value, m.client_hints, depth);
    case field::method:
      return read_string(value, m.method, depth);
    case field::path:
      return read_string(value, m.path, depth);
    case field::raw_url:
      return read_optional_string(value, m.raw_url, depth);
    case field::region_code:
      return read_optional_string(value, m.region_code, depth);
    case field::city:
      return read_optional_string(value, m.city, depth);
    case field::continent:
      return read_optional_string(value, m.continent, depth);
    case field::timezone:
      return read_optional_string(value, m.timezone, depth);
    case field::asn:
      return read_asn(value, m.asn, depth);
    case field::as_organization:
      return read_optional_string(value, m.as_organization, depth);
    case field::latitude:
      return read_coordinate(value, m.latitude, depth);
    case field::longitude:
      return read_coordinate(value, m.longitude, depth);
    case field::postal_code:
      return read_optional_string(value, m.postal_code, depth);
    case field::http_protocol:
      return read_optional_string(value, m.http_protocol, depth);
    case field::tls_version:
      return read_optional_string(value, m.tls_version, depth);
  }
  return false;
}

bool read_root_object(od::document& doc, request_metadata& m) {
  od::object object;
  if (doc.get_object().get(object)) return false;
  std::bitset<v02_field_count> seen;
  return for_each_member(object, [&](std::string_view key, od::value& value) {
    const auto id = find_top_level_field(key);
    if (!id) return skip_value(value, 1);
    const auto index = static_cast<std::size_t>(*id);
    if (index < v02_field_count) {
      if (seen.test(index)) return false;  // duplicate field
      seen.set(index);
    }
    return read_top_level_field(*id, value, m);
  });
}

// serde reads a sequence as the struct's fields in declaration order.
bool read_root_array(od::document& doc, request_metadata& m) {
  od::array array;
  if (doc.get_array().get(array)) return false;
  std::size_t index = 0;
  return for_each_element(array, [&](od::value& value) {
    if (index >= v02_field_count) return false;  // more elements than fields
    return read_top_level_field(static_cast<field>(index++), value, m);
  });
}

struct thread_parser {
  od::parser parser;
  std::string buffer;  // the header copied with simdjson's padding after it
};

}  // namespace

namespace detail {

bool parse_metadata_header_into(std::string_view json, request_metadata& m) {
  // One parser per thread: its buffers are reused by every request of the event loop.
  thread_local thread_parser state;
  if (state.buffer.capacity() < json.size() + simdjson::SIMDJSON_PADDING) {
    state.buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  }
  state.buffer.assign(json);
  const simdjson::padded_string_view input(state.buffer.data(), state.buffer.size(),
                                           state.buffer.capacity());

  od::document doc;
  if (state.parser.iterate(input).get(doc)) return false;
  json_type type;
  if (doc.type().get(type)) return false;
  if (type == json_type::object) {
    if (!read_root_object(doc, m)) return false;
  } else if (type == json_type::array) {
    if (!read_root_array(doc, m)) return false;
  } else {
    return false;
  }
  // Anything after the root value ("{}{}") is trailing garbage.
  const char* rest = nullptr;
  return doc.current_location().get(rest) == simdjson::OUT_OF_BOUNDS;
}

}  // namespace detail

std::optional<request_metadata> parse_metadata_header(std::string_view json) {
  std::optional<request_metadata> result(std::in_place);
  if (!detail::parse_metadata_header_into(json, *result)) result.reset();
  return result;
}

}  // namespace containerflare
