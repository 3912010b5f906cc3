// The verify floor: what Node itself does for a verification, with nothing of ours around it. A bare
// node:http server that takes the secret from the Authorization header, computes its HMAC-SHA-256,
// looks the hash up in a Map and answers the key's identity as JSON. `npm run bench` loads it exactly
// like the reference server's GET /v1/whoami, in the same run, and prints ours as a ratio of it.
"use strict";
const { createHmac, randomBytes } = require("node:crypto");
const { createServer } = require("node:http");

const pepper = randomBytes(32).toString("hex");
const secret = process.argv[2];
const hash = (s) => createHmac("sha256", pepper).update(s).digest("base64url");
const keys = new Map([
  [
    hash(secret),
    {
      keyId: "key_floor",
      organizationId: "org_floor",
      displayName: "hot key",
      environment: "test",
      privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
      expiresAt: null,
    },
  ],
]);

const server = createServer((req, res) => {
  const match = /^(?:Api-Key|Bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  const key = match ? keys.get(hash(match[1])) : undefined;
  res.writeHead(key ? 200 : 401, { "content-type": "application/json" });
  res.end(JSON.stringify(key ?? { error: { code: "UNAUTHENTICATED" } }));
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ msg: "listening", url: `http://127.0.0.1:${server.address().port}` })}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
