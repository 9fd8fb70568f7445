// Miniflare 4.20260426 bundles undici 7, which expects two Node 20 globals. With these in place
// the tests also run on Debian bookworm's own Node 18; on Node 20 this module does nothing.
import { File } from 'node:buffer';

globalThis.File ??= File;

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
if (!String.prototype.toWellFormed) {
  Object.defineProperty(String.prototype, 'toWellFormed', {
    configurable: true,
    writable: true,
    value() {
      return String(this).replace(loneSurrogate, '\ufffd');
    },
  });
}
if (!String.prototype.isWellFormed) {
  Object.defineProperty(String.prototype, 'isWellFormed', {
    configurable: true,
    writable: true,
    value() {
      return String(this).match(loneSurrogate) === null;
    },
  });
}
