#pragma once
// A metadata header as our Worker sends it for a typical browser request, for benchmarks.

#include <string_view>

namespace containerflare::test {

// What the Worker sends for a browser request: the v0.2 fields it knows plus the request.cf
// extension fields (29 top-level fields, 1.1 KB).
constexpr std::string_view typical_header =
    R"({"request_id":"8f3a1b2c3d4e5f60-SJC","colo":"SJC","region":"California","country":"US",)"
    R"("client_ip":"198.51.100.23","host":"app.example.com","scheme":"https",)"
    R"("platform":{"platform":"cloudflare","worker_name":"my-worker"},"worker_name":"my-worker",)"
    R"("forwarded_for":["198.51.100.23"],"forwarded_proto":"https",)"
    R"("user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",)"
    R"("accept":"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",)"
    R"("accept_language":"en-US,en;q=0.9","accept_encoding":"gzip, deflate, br, zstd","sec_gpc":"1",)"
    R"("client_hints":{"ua":"\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"",)"
    R"("ua_mobile":"?0","ua_platform":"\"Linux\""},)"
    R"("method":"GET","path":"/api/items?page=2&sort=desc","raw_url":"https://app.example.com/api/items?page=2&sort=desc",)"
    R"("region_code":"CA","city":"San Jose","continent":"NA","timezone":"America/Los_Angeles",)"
    R"("asn":13335,"as_organization":"Cloudflare, Inc.","latitude":"37.33939","longitude":"-121.89496",)"
    R"("postal_code":"95113","http_protocol":"HTTP/2","tls_version":"TLSv1.3"})";

}  // namespace containerflare::test
