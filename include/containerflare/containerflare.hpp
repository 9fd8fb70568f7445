#pragma once
// Everything a containerflare app needs, in one include.

#include "containerflare/access_log.hpp"
#include "containerflare/command.hpp"
#include "containerflare/config.hpp"
#include "containerflare/context.hpp"
#include "containerflare/error.hpp"
#include "containerflare/headers.hpp"
#include "containerflare/health_check.hpp"
#include "containerflare/log.hpp"
#include "containerflare/metadata.hpp"
#include "containerflare/platform.hpp"
#include "containerflare/request.hpp"
#include "containerflare/response.hpp"
#include "containerflare/router.hpp"
#include "containerflare/server.hpp"
#include "containerflare/status.hpp"
#include "containerflare/task.hpp"
