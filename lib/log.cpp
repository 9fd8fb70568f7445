#include "containerflare/log.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace containerflare::log {
namespace {

std::atomic<level> g_level{level::info};
std::atomic<format> g_format{format::json};
std::mutex g_sink_mutex;
std::function<void(std::string_view)> g_sink;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xf]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void append_timestamp(std::string& out) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto secs = system_clock::to_time_t(now);
  const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::array<char, 32> buf{};
  const auto n = std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                               tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                               tm.tm_sec, static_cast<int>(millis));
  out.append(buf.data(), static_cast<std::size_t>(n));
}

void append_value(std::string& out, const field::value_type& v, bool quote_strings) {
  std::array<char, 32> buf{};
  if (auto s = std::get_if<std::string_view>(&v)) {
    if (quote_strings) {
      append_json_string(out, *s);
    } else {
      out.append(*s);
    }
  } else if (auto b = std::get_if<bool>(&v)) {
    out += *b ? "true" : "false";
  } else if (auto i = std::get_if<std::int64_t>(&v)) {
    auto r = std::to_chars(buf.data(), buf.data() + buf.size(), *i);
    out.append(buf.data(), r.ptr);
  } else if (auto u = std::get_if<std::uint64_t>(&v)) {
    auto r = std::to_chars(buf.data(), buf.data() + buf.size(), *u);
    out.append(buf.data(), r.ptr);
  } else if (auto d = std::get_if<double>(&v)) {
    auto r = std::to_chars(buf.data(), buf.data() + buf.size(), *d);
    out.append(buf.data(), r.ptr);
  }
}

void emit(std::string_view line) {
  {
    std::lock_guard lock(g_sink_mutex);
    if (g_sink) {
      g_sink(line);
      return;
    }
  }
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const auto n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // stderr gone: nothing useful left to do
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::optional<level> parse_level(std::string_view t) {
  if (iequals(t, "error")) return level::error;
  if (iequals(t, "warn") || iequals(t, "warning")) return level::warn;
  if (iequals(t, "info")) return level::info;
  if (iequals(t, "debug")) return level::debug;
  if (iequals(t, "trace")) return level::trace;
  return std::nullopt;
}

std::optional<format> parse_format(std::string_view t) {
  if (iequals(t, "json")) return format::json;
  if (iequals(t, "text")) return format::text;
  return std::nullopt;
}

std::string_view to_string(level lvl) {
  switch (lvl) {
    case level::error:
      return "error";
    case level::warn:
      return "warn";
    case level::info:
      return "info";
    case level::debug:
      return "debug";
    case level::trace:
      return "trace";
  }
  return "info";
}

void configure(level min_level, format fmt) {
  g_level.store(min_level, std::memory_order_relaxed);
  g_format.store(fmt, std::memory_order_relaxed);
}
level current_level() {
  return g_level.load(std::memory_order_relaxed);
}
format current_format() {
  return g_format.load(std::memory_order_relaxed);
}

void set_sink(std::function<void(std::string_view)> sink) {
  std::lock_guard lock(g_sink_mutex);
  g_sink = std::move(sink);
}

void write(level lvl, std::string_view message, std::initializer_list<field> fields) {
  if (!enabled(lvl)) return;
  std::string line;
  line.reserve(128 + message.size());
  if (current_format() == format::json) {
    line += "{\"ts\":\"";
    append_timestamp(line);
    line += "\",\"level\":\"";
    line += to_string(lvl);
    line += "\",\"msg\":";
    append_json_string(line, message);
    for (const auto& f : fields) {
      line.push_back(',');
      append_json_string(line, f.key);
      line.push_back(':');
      append_value(line, f.value, true);
    }
    line += "}\n";
  } else {
    append_timestamp(line);
    line.push_back(' ');
    line += to_string(lvl);
    line.push_back(' ');
    line += message;
    for (const auto& f : fields) {
      line.push_back(' ');
      line += f.key;
      line.push_back('=');
      append_value(line, f.value,
                   std::holds_alternative<std::string_view>(f.value) &&
                       std::get<std::string_view>(f.value).find(' ') != std::string_view::npos);
    }
    line.push_back('\n');
  }
  emit(line);
}

}  // namespace containerflare::log
