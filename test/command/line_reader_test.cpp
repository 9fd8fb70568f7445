#include "line_reader.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using containerflare::detail::line_reader;
using kind = line_reader::event::kind;

namespace {

// Feeds `input` in pieces of `piece` bytes and collects every event as text.
std::vector<std::string> feed(line_reader& reader, const std::string& input, std::size_t piece) {
  std::vector<std::string> events;
  for (std::size_t at = 0; at < input.size(); at += piece) {
    auto part = std::string_view(input).substr(at, piece);
    while (!part.empty()) {  // a piece larger than the read space takes several reads
      auto space = reader.prepare();
      const auto bytes = std::min(space.size(), part.size());
      std::memcpy(space.data(), part.data(), bytes);
      reader.commit(bytes);
      part.remove_prefix(bytes);
      for (auto e = reader.next(); e.what != kind::none; e = reader.next()) {
        REQUIRE(e.readable >= e.text.size() + 64);  // room for in-place parsing
        events.push_back((e.what == kind::line ? "line:" : "oversize:") + std::string(e.text));
      }
    }
  }
  return events;
}

}  // namespace

TEST_CASE("lines split at newlines whatever the read sizes") {
  const std::string input = "{\"a\":1}\n\n{\"b\":2}\r\nlast";
  for (std::size_t piece : {1u, 2u, 3u, 7u, 100u}) {
    CAPTURE(piece);
    line_reader reader(1024, 128);
    const auto events = feed(reader, input, piece);
    REQUIRE(events.size() == 3);
    CHECK(events[0] == "line:{\"a\":1}");
    CHECK(events[1] == "line:");
    CHECK(events[2] == "line:{\"b\":2}\r");
    CHECK(reader.buffered() == 4);  // "last" waits for its newline
  }
}

TEST_CASE("an oversize line is reported once and skipped up to the next newline") {
  const std::string big(100, 'x');
  const std::string input = "{\"id\":3," + big + "\nok\n" + big + big + "\nafter\n";
  for (std::size_t piece : {1u, 5u, 16u, 64u, 1000u}) {
    CAPTURE(piece);
    line_reader reader(50, 32);
    const auto events = feed(reader, input, piece);
    REQUIRE(events.size() == 4);
    CHECK(events[0].starts_with("oversize:"));
    CHECK(events[1] == "line:ok");
    CHECK(events[2].starts_with("oversize:"));
    CHECK(events[3] == "line:after");
    if (piece == 1000) CHECK(events[0].starts_with("oversize:{\"id\":3,"));
  }
}

TEST_CASE("a line exactly at the limit is accepted, one byte more is not") {
  line_reader reader(10, 64);
  const auto events = feed(reader, std::string(10, 'a') + "\n" + std::string(11, 'b') + "\n", 64);
  REQUIRE(events.size() == 2);
  CHECK(events[0] == "line:" + std::string(10, 'a'));
  CHECK(events[1].starts_with("oversize:"));
}

TEST_CASE("the buffer stays bounded while a huge line streams past") {
  line_reader reader(1000, 256);
  std::size_t oversize = 0;
  for (int i = 0; i < 10'000; ++i) {
    auto space = reader.prepare();
    std::memset(space.data(), 'z', space.size());
    reader.commit(space.size());
    for (auto e = reader.next(); e.what != kind::none; e = reader.next()) {
      if (e.what == kind::oversize) ++oversize;
    }
    CHECK(reader.buffered() <= 1000 + 256);
  }
  CHECK(oversize == 1);
}
