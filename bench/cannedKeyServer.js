// The canned key API: what any key API costs a provider at least. A bare node:http server that reads
// the request body and answers every POST with the same canned key (201), every GET with it (200) and
// every DELETE with 204: no storage, no hashing, no validation. The canned floor's provider
// (bench/engineFloor.ts) makes one round trip to it per API call ApiKey makes, so `npm run bench` can
// say what ApiKey costs beyond a round trip per key.
"use strict";
const { createServer } = require("node:http");

const key = JSON.stringify({
  id: "key_canned_0000000000000000",
  secret: `ak_test_${"c".repeat(30)}`,
  hint: "ak_test_cann…",
  createdAt: "2026-01-01T00:00:00.000Z",
  rotatedAt: "2026-01-01T00:00:00.000Z",
  organizationId: "org_canned",
  enabled: true,
  environment: "test",
});

const server = createServer((req, res) => {
  // The body is read (a real API must), then dropped.
  req.resume();
  req.on("end", () => {
    if (req.method === "DELETE") {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json" });
    res.end(key);
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ msg: "listening", url: `http://127.0.0.1:${server.address().port}` })}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
