#include "containerflare/command/base64.hpp"

#include <doctest/doctest.h>

#include <string>

namespace cf = containerflare;

TEST_CASE("base64 encodes the RFC 4648 test vectors") {
  CHECK(cf::base64_encode("") == "");
  CHECK(cf::base64_encode("f") == "Zg==");
  CHECK(cf::base64_encode("fo") == "Zm8=");
  CHECK(cf::base64_encode("foo") == "Zm9v");
  CHECK(cf::base64_encode("foob") == "Zm9vYg==");
  CHECK(cf::base64_encode("fooba") == "Zm9vYmE=");
  CHECK(cf::base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64 decodes padded and unpadded text") {
  CHECK(cf::base64_decode("") == std::string());
  CHECK(cf::base64_decode("Zg==") == std::string("f"));
  CHECK(cf::base64_decode("Zg") == std::string("f"));
  CHECK(cf::base64_decode("Zm8=") == std::string("fo"));
  CHECK(cf::base64_decode("Zm8") == std::string("fo"));
  CHECK(cf::base64_decode("Zm9vYmFy") == std::string("foobar"));
  CHECK(cf::base64_decode("+/+/") == std::string("\xfb\xff\xbf"));
}

TEST_CASE("base64 rejects what is not base64") {
  CHECK_FALSE(cf::base64_decode("Z"));       // 6 bits cannot make a byte
  CHECK_FALSE(cf::base64_decode("Zm9v!"));   // not in the alphabet
  CHECK_FALSE(cf::base64_decode("Zm 9v"));   // no whitespace
  CHECK_FALSE(cf::base64_decode("Zm9v-_"));  // the URL alphabet is another encoding
  CHECK_FALSE(cf::base64_decode("Z==="));    // padding cannot stand for two characters
  CHECK_FALSE(cf::base64_decode("Zg=a"));    // padding only at the end
}

TEST_CASE("base64 round-trips every byte value at every length modulo 3") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (std::size_t cut = 0; cut < 3; ++cut) {
    const auto input = bytes.substr(cut);
    const auto encoded = cf::base64_encode(input);
    CHECK(encoded.size() % 4 == 0);
    CHECK(cf::base64_decode(encoded) == input);
  }
}
