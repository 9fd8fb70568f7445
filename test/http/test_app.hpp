#pragma once
// The routes the in-process engine tests serve: those of app/containerflare-basic (so the shared
// checks run unchanged) plus echo, streaming and failure routes.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "containerflare/router.hpp"
#include "http/gate.hpp"

namespace containerflare::test {

// What the routes observed, for the test to assert on. Atomics are read from the test thread;
// the gate is used on the server's thread only.
struct test_app_state {
  std::atomic<std::size_t> upload_bytes_seen{0};  // streamed upload: bytes the handler has read
  std::atomic<bool> firehose_failed{false};       // the endless stream's write threw
  gate events_gate;                               // between the events of /events
  gate hold_gate;                                 // what /hold waits for
};

constexpr std::size_t upload_limit = 16 * 1024 * 1024;

// GET  /plaintext /json /healthz   as app/basic.cpp
// GET  /echo/{id}                  "id=<id>"
// POST /echo                       the request body, buffered
// POST /upload                     streamed body (limit upload_limit): "bytes=N checksum=C
//                                  max_piece=M pieces=P"
// GET  /throw                      the handler throws
// GET  /events                     three server-sent events, `events_gate` opened between them
// GET  /stream                     "a", "b", "c" streamed without waiting
// GET  /firehose                   64 KiB chunks until writing fails
// GET  /big?size=N                 N bytes of big_body(N), buffered
// GET  /hold                       waits for `hold_gate`, then "held"
// POST /sink                       streamed body (limit upload_limit) that the handler never
//                                  reads: "ignored"
router make_test_app(test_app_state& state);

// The body of /big?size=N: "0123456789abcdef" repeated, cut at N bytes.
std::string big_body(std::size_t size);

// FNV-1a over `data`, continuing from `hash` (the /upload checksum).
std::uint32_t fnv1a(std::string_view data, std::uint32_t hash = 2166136261u);

}  // namespace containerflare::test
