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

class FloorKey extends pulumi.dynamic.Resource {
  constructor(name: string, args: ApiKeyArgs) {
    // Exactly what ApiKey registers (its props and options), only the provider differs.
    super(noopProvider, name, apiKeyProps(name, args), apiKeyOptions({}), "apikeys", "FloorKey");
  }
}

/** A program declaring `n` floor keys with a benchmark key's inputs. */
export function floorProgram(n: number) {
  return async () => {
    for (let i = 0; i < n; i++) {
      // The same declaration as the benchmark's ApiKeys (bench/providerOverhead.ts).
      new FloorKey(`key-${i}`, { description: "benchmark key", privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }] });
    }
  };
}
