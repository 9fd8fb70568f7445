#include "containerflare/command/error.hpp"

#include <doctest/doctest.h>

#include "containerflare/command/result.hpp"

namespace cf = containerflare;
using cf::command_errc;

TEST_CASE("command error codes have a category, messages and an HTTP status") {
  const command_errc all[] = {command_errc::command_failure, command_errc::transport_closed,
                              command_errc::timeout,         command_errc::io,
                              command_errc::serialization,   command_errc::unavailable};
  for (auto kind : all) {
    const std::error_code code = kind;  // implicit: is_error_code_enum
    CHECK(code.category() == cf::command_category());
    CHECK(code.value() == static_cast<int>(kind));
    CHECK_FALSE(code.message().empty());
    CHECK(code == kind);
  }
  CHECK(std::string(cf::command_category().name()) == "containerflare.command");
  CHECK(cf::http_status_for(command_errc::command_failure) == 502);
  CHECK(cf::http_status_for(command_errc::unavailable) == 503);
  CHECK(cf::http_status_for(command_errc::timeout) == 504);
  CHECK(cf::http_status_for(command_errc::transport_closed) == 502);
  CHECK(cf::http_status_for(command_errc::io) == 502);
  CHECK(cf::http_status_for(command_errc::serialization) == 502);
}

TEST_CASE("command_error carries its kind, diagnostic and payload") {
  const cf::command_error error(command_errc::command_failure, "no such key",
                                boost::json::object{{"code", 7}});
  CHECK(error.kind() == command_errc::command_failure);
  CHECK(error.diagnostic() == "no such key");
  CHECK(std::string(error.what()).find("no such key") != std::string::npos);
  CHECK(error.payload().at("code") == 7);
  CHECK(error.http_status() == 502);
  CHECK(error.code() == command_errc::command_failure);
  const std::system_error& as_system_error = error;  // catchable as std::system_error
  CHECK(as_system_error.code().category() == cf::command_category());
}

TEST_CASE("command_result from a response") {
  cf::command_response success;
  success.ok = true;
  success.payload = 5;
  auto result = cf::command_result::from_response(std::move(success));
  CHECK(result.ok());
  CHECK(static_cast<bool>(result));
  CHECK(result.value() == 5);

  cf::command_response failure;
  failure.ok = false;
  failure.payload = "details";
  result = cf::command_result::from_response(std::move(failure));
  CHECK_FALSE(result.ok());
  CHECK(result.kind() == command_errc::command_failure);
  CHECK(result.diagnostic == "host returned failure");  // serde's default text
  CHECK(result.payload == "details");
  try {
    (void)result.value();
    FAIL("value() of a failure did not throw");
  } catch (const cf::command_error& e) {
    CHECK(e.kind() == command_errc::command_failure);
    CHECK(e.diagnostic() == "host returned failure");
    CHECK(e.payload() == "details");
  }

  cf::command_response with_text;
  with_text.diagnostic = "boom";
  CHECK(cf::command_result::from_response(std::move(with_text)).diagnostic == "boom");

  const auto timeout = cf::command_result::failure(command_errc::timeout, "slow");
  CHECK_THROWS_AS((void)cf::command_result(timeout).value(), cf::command_error);
  CHECK(timeout.to_error().http_status() == 504);
}
