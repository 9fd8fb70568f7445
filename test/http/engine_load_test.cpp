// 1,000 keep-alive clients at once against a server in this process; afterwards every descriptor
// is released.

#include <doctest/doctest.h>

#include "http/http_checks.hpp"
#include "http/in_process_server.hpp"
#include "http/test_app.hpp"
#include "support/file_descriptors.hpp"

using namespace containerflare::test;

TEST_CASE("1,000 clients x 10 keep-alive requests, byte-exact, no descriptor leaked") {
  require_fd_limit(4096);
  test_app_state state;
  in_process_server server(make_test_app(state));
  const target t{server.port(), server.config()};
  const fd_probe probe{[] { return count_open_fds(); }, [&] { return server.connection_count(); }};
  check_many_keep_alive_clients(
      t, 1000, 10, {"GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n", plaintext_answer()}, probe);
}
