// `debug` as the bundle's dependencies (engine.io, socket.io, Express and its
// router) get it. Their debug() functions take `...args`, so every call builds
// an array of its arguments before it finds that it is off: several calls per
// socket for each live change (without them, a node sending 20 votes a second
// to 1,000 sockets allocated a quarter less). When DEBUG is not set at start, a
// namespace's function here takes no parameters and does nothing, so a call
// allocates nothing; with DEBUG set, this is debug itself. Like debug, DEBUG is
// read at start: debug.enable() at run time turns on nothing here.
'use strict';

function quietDebug(namespace) {
  const off = function quietDebugOff() {};
  off.namespace = namespace;
  off.enabled = false;
  off.log = () => {};
  off.destroy = () => false;
  off.extend = (suffix, delimiter = ':') => quietDebug(`${namespace}${delimiter}${suffix}`);
  return off;
}

if (process.env.DEBUG) {
  module.exports = require('debug');
} else {
  Object.assign(quietDebug, {
    debug: quietDebug,
    default: quietDebug,
    enable() {},
    disable: () => '',
    enabled: () => false,
    names: [],
    skips: [],
    formatters: {},
  });
  module.exports = quietDebug;
}
