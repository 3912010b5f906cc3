// Evaluated first in the plugin bundle (esbuild `inject`, scripts/release/sea.js). A startup snapshot
// keeps the heap as it is when the snapshot is taken, Node's random pools included: `crypto.randomUUID`
// draws from a pool filled on first use (measured: called once while the snapshot was built, every
// start of the executable then returned the same UUIDs), and `crypto.randomInt` likewise. The
// provider's idempotency keys are such UUIDs, and the same key on two runs would make the key API
// answer a new create with an old key. So while a snapshot is built they throw (the release build
// fails, naming the function); at run time they are the real ones. Math.random needs nothing: V8
// clears its state in a snapshot.
"use strict";
const { startupSnapshot } = require("node:v8");

if (startupSnapshot.isBuildingSnapshot()) {
  const crypto = require("node:crypto");
  for (const name of ["randomUUID", "randomInt"]) {
    const real = crypto[name];
    // A wrapper, not a swap undone later: a module may keep the function it found at load.
    crypto[name] = function (...args) {
      if (startupSnapshot.isBuildingSnapshot()) {
        throw new Error(
          `crypto.${name} was called while the startup snapshot was built: every start would repeat its values; call it when the plugin runs, not when a module loads`,
        );
      }
      return Reflect.apply(real, this, args);
    };
  }
}
