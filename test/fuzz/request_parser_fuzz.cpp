// libFuzzer target: the request parser must never crash, read out of bounds, or report spans
// outside the bytes it was given, however the input is split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/request_parser.hpp"

using containerflare::detail::request_parser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // First byte picks the read size, so split points vary with the input.
  const std::size_t step = 1 + data[0] % 64;
  const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  request_parser p(256);
  p.begin_message();
  std::size_t message_start = 0;
  std::size_t parsed = 0;
  std::size_t available = 0;
  while (parsed < input.size() || p.current_state() == request_parser::state::body) {
    if (available < input.size()) available = std::min(input.size(), available + step);
    const auto before = parsed;
    const auto state_before = p.current_state();
    parsed += p.feed(input.data() + message_start, input.data() + parsed, available - parsed);
    if (parsed > available) std::abort();
    const auto st = p.current_state();
    if (st == request_parser::state::failed) break;
    if (st != request_parser::state::headers) {
      const std::size_t limit = input.size() - message_start;
      if (p.url().offset + p.url().length > limit) std::abort();
      for (const auto& h : p.headers()) {
        if (h.name.offset + h.name.length > limit || h.value.offset + h.value.length > limit) {
          std::abort();
        }
      }
    }
    if (st == request_parser::state::complete) {
      message_start = parsed;
      p.begin_message();
      continue;
    }
    if (parsed == before && st == state_before && available == input.size()) break;
  }
  return 0;
}
