#pragma once
// In-place forms of the public metadata functions, so the request path builds its
// request_metadata once instead of moving it through optionals and return values.

#include <string_view>

#include "containerflare/metadata.hpp"

namespace containerflare::detail {

// parse_metadata_header into `out`, which must be default-constructed. False (and `out` in an
// unspecified state) when the header is rejected.
bool parse_metadata_header_into(std::string_view json, request_metadata& out);

// resolve_request_metadata into `out`, which must be default-constructed.
void resolve_request_metadata_into(const request& req, const runtime_environment& env,
                                   request_metadata& out);

}  // namespace containerflare::detail
