// The Container-enabled Durable Object. Deliberately thin: settings come from config.js, the
// command bridge from bridge/. The base class proxies fetch() into the container and counts a
// streamed response (server-sent events) or a WebSocket as in flight until it closes, so an
// open stream keeps the instance awake past `sleepAfter`.
import { Container } from '@cloudflare/containers';
import { handleBridgeRequest } from './bridge/index.js';
import { BRIDGE_HOST, containerOptions } from './config.js';
import { logEvent } from './log.js';

export class ContainerflareContainer extends Container {
  constructor(ctx, env) {
    super(ctx, env, containerOptions(env));
  }

  onStart() {
    logEvent('info', 'container started', { instance: this.ctx.id.toString() });
  }

  onStop({ exitCode, reason }) {
    logEvent(exitCode === 0 ? 'info' : 'warn', 'container stopped', {
      instance: this.ctx.id.toString(),
      exit_code: exitCode,
      reason,
    });
  }

  onError(error) {
    logEvent('error', 'container error', { instance: this.ctx.id.toString(), error: String(error) });
    throw error;
  }
}

// Assigned after the class on purpose: @cloudflare/containers keeps handlers in a registry
// behind a static setter, and a `static outboundByHost = ...` class field would define a plain
// property that the library never reads.
ContainerflareContainer.outboundByHost = {
  [BRIDGE_HOST]: (request, env) => handleBridgeRequest(request, env),
};
