// Entry module named by wrangler.jsonc `main`.
export { default } from './worker.js';
export { ContainerflareContainer } from './container.js';
// The containers library routes the container's outbound HTTP through this entrypoint (it looks
// it up in ctx.exports); without this export the command bridge is never reached.
export { ContainerProxy } from '@cloudflare/containers';
