#pragma once
// The command channel: client, endpoints, errors, wire messages and the typed helpers for KV,
// D1, R2 and Queues. Usable on its own (library `containerflare-command`, no HTTP server).

#include "containerflare/command/base64.hpp"
#include "containerflare/command/client.hpp"
#include "containerflare/command/d1.hpp"
#include "containerflare/command/endpoint.hpp"
#include "containerflare/command/error.hpp"
#include "containerflare/command/kv.hpp"
#include "containerflare/command/message.hpp"
#include "containerflare/command/options.hpp"
#include "containerflare/command/proxy.hpp"
#include "containerflare/command/queue.hpp"
#include "containerflare/command/r2.hpp"
#include "containerflare/command/result.hpp"
