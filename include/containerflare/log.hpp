#pragma once
// Structured logging to stderr. stdout is reserved for the stdio command transport, so nothing in
// this library ever writes there. One line per event, written with a single write(2) so lines
// from several threads do not interleave.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace containerflare::log {

enum class level : std::uint8_t { error = 0, warn, info, debug, trace };
enum class format : std::uint8_t { json, text };

// A key/value pair attached to a log line. Values are borrowed for the duration of the call.
struct field {
  using value_type = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;
  std::string_view key;
  value_type value;

  field(std::string_view k, std::string_view v) : key(k), value(v) {}
  field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  field(std::string_view k, bool v) : key(k), value(v) {}
  field(std::string_view k, double v) : key(k), value(v) {}
  template <class Int>
  requires(std::is_integral_v<Int> && !std::is_same_v<Int, bool>) field(std::string_view k, Int v) {
    key = k;
    if constexpr (std::is_signed_v<Int>) {
      value = static_cast<std::int64_t>(v);
    } else {
      value = static_cast<std::uint64_t>(v);
    }
  }
};

std::optional<level> parse_level(std::string_view text);
std::optional<format> parse_format(std::string_view text);
std::string_view to_string(level lvl);

// Process-wide settings. `configure` is not synchronised with concurrent logging: call it at
// startup (run() does, from CF_LOG / CF_LOG_FORMAT).
void configure(level min_level, format fmt);
level current_level();
format current_format();
inline bool enabled(level lvl) {
  return lvl <= current_level();
}

// Replaces the output (default: stderr). Tests use it to capture lines. Pass nullptr to restore.
void set_sink(std::function<void(std::string_view line)> sink);

void write(level lvl, std::string_view message, std::initializer_list<field> fields = {});

inline void error(std::string_view m, std::initializer_list<field> f = {}) {
  write(level::error, m, f);
}
inline void warn(std::string_view m, std::initializer_list<field> f = {}) {
  write(level::warn, m, f);
}
inline void info(std::string_view m, std::initializer_list<field> f = {}) {
  write(level::info, m, f);
}
inline void debug(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::debug)) write(level::debug, m, f);
}
inline void trace(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::trace)) write(level::trace, m, f);
}

}  // namespace containerflare::log
