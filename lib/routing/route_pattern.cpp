#include "routing/route_pattern.hpp"

#include <algorithm>
#include <stdexcept>

namespace containerflare::routing {

namespace {

[[noreturn]] void reject(std::string_view pattern, std::string_view why) {
  std::string message = "invalid route pattern \"";
  message.append(pattern).append("\": ").append(why);
  throw std::invalid_argument(message);
}

bool is_name_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

pattern_segment parse_segment(std::string_view text, std::string_view pattern) {
  const bool has_brace = text.find_first_of("{}") != std::string_view::npos;
  if (!has_brace) {
    // A request path never holds these raw, so a literal containing one could never match.
    if (text.find_first_of("?#") != std::string_view::npos) {
      reject(pattern, "'?' and '#' cannot appear in a path");
    }
    return {segment_kind::literal, std::string(text)};
  }
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    reject(pattern, "a parameter must fill a whole segment, as in /{name}");
  }
  auto name = text.substr(1, text.size() - 2);
  auto kind = segment_kind::param;
  if (!name.empty() && name.front() == '*') {
    kind = segment_kind::wildcard;
    name.remove_prefix(1);
  }
  if (name.empty()) reject(pattern, "a parameter needs a name");
  if (!std::all_of(name.begin(), name.end(), is_name_char)) {
    reject(pattern, "parameter names use letters, digits, '_' and '-'");
  }
  return {kind, std::string(name)};
}

}  // namespace

segment_list parse_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') reject(pattern, "must start with '/'");
  segment_list segments;
  auto rest = pattern.substr(1);
  for (;;) {
    const auto slash = rest.find('/');
    segments.push_back(parse_segment(rest.substr(0, slash), pattern));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  check_segments(segments, pattern);
  return segments;
}

segment_list parse_prefix(std::string_view prefix) {
  if (prefix == "/") return {};
  auto segments = parse_pattern(prefix);
  if (segments.size() > 1 && segments.back() == pattern_segment{}) segments.pop_back();
  if (segments.back().kind == segment_kind::wildcard) {
    reject(prefix, "a nest prefix cannot end in a wildcard");
  }
  return segments;
}

void check_segments(std::span<const pattern_segment> segments,
                    std::string_view pattern_for_message) {
  std::size_t params = 0;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& segment = segments[i];
    if (segment.kind == segment_kind::literal) continue;
    if (segment.kind == segment_kind::wildcard && i + 1 != segments.size()) {
      reject(pattern_for_message, "a {*wildcard} must be the last segment");
    }
    if (++params > max_path_params) reject(pattern_for_message, "too many parameters");
    for (std::size_t j = 0; j < i; ++j) {
      if (segments[j].kind != segment_kind::literal && segments[j].text == segment.text) {
        reject(pattern_for_message, "two parameters share the name \"" + segment.text + "\"");
      }
    }
  }
}

std::string format_pattern(std::span<const pattern_segment> segments) {
  std::string out;
  for (const auto& segment : segments) {
    out.push_back('/');
    switch (segment.kind) {
      case segment_kind::literal:
        out += segment.text;
        break;
      case segment_kind::param:
        out.append("{").append(segment.text).append("}");
        break;
      case segment_kind::wildcard:
        out.append("{*").append(segment.text).append("}");
        break;
    }
  }
  return out.empty() ? "/" : out;
}

}  // namespace containerflare::routing
