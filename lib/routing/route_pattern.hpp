#pragma once
// Route patterns ("/users/{id}/files/{*rest}") split into the segments the route trie stores.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace containerflare::routing {

enum class segment_kind : unsigned char { literal, param, wildcard };

struct pattern_segment {
  segment_kind kind = segment_kind::literal;
  std::string text;  // the literal text, or the parameter's name

  bool operator==(const pattern_segment&) const = default;
};

using segment_list = std::vector<pattern_segment>;

// Most path parameters (the wildcard included) in one pattern: captured values then fit in a
// fixed array on the stack while matching.
inline constexpr std::size_t max_path_params = 16;

// Splits a pattern at '/' after its leading '/': "/" is one empty literal segment and a trailing
// slash adds an empty literal segment, so "/a" and "/a/" are different routes.
// Throws std::invalid_argument naming the pattern when it does not start with '/', when a segment
// mixes text and braces ("{", "{}", "a{id}"), when a wildcard is not last, when two parameters
// share a name, or when there are more than max_path_params parameters.
segment_list parse_pattern(std::string_view pattern);

// A nest() prefix: a pattern without a wildcard, "/" meaning no prefix, one trailing '/' ignored.
segment_list parse_prefix(std::string_view prefix);

// Throws std::invalid_argument (naming `pattern_for_message`) when parameter names repeat, a
// wildcard is not last, or there are too many parameters.
void check_segments(std::span<const pattern_segment> segments,
                    std::string_view pattern_for_message);

// The pattern text of `segments` ("/users/{id}"), for messages.
std::string format_pattern(std::span<const pattern_segment> segments);

}  // namespace containerflare::routing
