#pragma once
// Standard base64 (RFC 4648 §4, "+/" alphabet, '=' padding): R2 bodies travel as `body_base64`.

#include <optional>
#include <string>
#include <string_view>

namespace containerflare {

std::string base64_encode(std::string_view bytes);
// Accepts padded and unpadded input; nullopt for any other character or an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace containerflare
