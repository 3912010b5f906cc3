import * as pulumi from "@pulumi/pulumi";
import { apiKeyOptions, apiKeyProps, type ApiKeyArgs } from "../provider/resource";

/**
 * The engine floor: a dynamic resource with ApiKey's inputs and outputs (the same properties, the
 * secret output) whose provider does nothing, so `pulumi up` of N of them costs exactly what the
 * engine, the SDK and the dynamic-provider host cost. `npm run bench` runs the same operations on it
 * and on ApiKey in the same run; the ratio is what our provider adds.
 */
const noopProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news };
  },
  async diff() {
    return { changes: false };
  },
  // The outputs ApiKey keeps (provider/keyState/outputs.ts), the declared labels included.
  async create(inputs) {
    const id = `key_floor_${Math.random().toString(36).slice(2)}`;
    return {
      id,
      outs: {
        ...inputs,
        keyId: id,
        // As long as a real secret (24 random characters and a 6-character checksum after the prefix).
        secret: `ak_test_${"x".repeat(30)}`,
        secretAvailable: true,
        hint: "ak_test_floo…",
        createdAt: new Date().toISOString(),
        rotatedAt: new Date().toISOString(),
        backend: "reference",
        organizationId: "org_floor",
        enabled: true,
        environment: "test",
      },
    };
  },
  async read(id, props) {
    return { id, props };
  },
  async delete() {
    // nothing to take back
  },
};

/**
 * The canned floor: the no-op provider plus one HTTP round trip to bench/cannedKeyServer.js for each
 * API call ApiKey makes (create POSTs, refresh's read GETs, delete DELETEs), which answers a canned
 * key at once. What any key API costs a provider at least: ApiKey against it is what our provider and
 * the reference server's work add beyond the round trip itself. The server's address comes from the
 * environment the engine passes to the provider host (BENCH_CANNED_KEY_URL), not from the state.
 */
const cannedProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news };
  },
  async diff() {
    return { changes: false };
  },
  async create(inputs) {
    const key = JSON.parse(await cannedRoundTrip("POST", JSON.stringify(inputs)));
    const id = `key_floor_${Math.random().toString(36).slice(2)}`;
    return {
      id,
      outs: {
        ...inputs,
        keyId: id,
        secret: key.secret,
        secretAvailable: true,
        hint: key.hint,
        createdAt: key.createdAt,
        rotatedAt: key.rotatedAt,
        backend: "reference",
        organizationId: key.organizationId,
        enabled: key.enabled,
        environment: key.environment,
      },
    };
  },
  async read(id, props) {
    await cannedRoundTrip("GET");
    return { id, props };
  },
  async delete() {
    await cannedRoundTrip("DELETE");
  },
};

/** One round trip to the canned server, with Node's own client on its default keep-alive agent: the cheapest Node makes. */
function cannedRoundTrip(method: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Required here: the provider is serialized into the state, and a built-in is loaded by name in the host.
    const http: typeof import("node:http") = require("node:http");
    const request = http.request(
      `${process.env.BENCH_CANNED_KEY_URL}/v1/keys`,
      { method, headers: body ? { "content-type": "application/json" } : {} },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve(text));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

class FloorKey extends pulumi.dynamic.Resource {
  constructor(name: string, args: ApiKeyArgs, canned: boolean) {
    // Exactly what ApiKey registers (its props and options), only the provider differs.
    super(canned ? cannedProvider : noopProvider, name, apiKeyProps(name, args), apiKeyOptions({}), "apikeys", "FloorKey");
  }
}

/** A program declaring `n` floor keys with a benchmark key's inputs; `canned` for the canned floor. */
export function floorProgram(n: number, canned = false) {
  return async () => {
    for (let i = 0; i < n; i++) {
      // The same declaration as the benchmark's ApiKeys (bench/providerOverhead.ts).
      new FloorKey(`key-${i}`, { description: "benchmark key", privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }] }, canned);
    }
  };
}
