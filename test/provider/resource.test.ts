import * as pulumi from "@pulumi/pulumi";

/** Resolves an Output's value and secretness, with a timeout so a serialization failure fails instead of hanging. */
async function settle<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  const internal = output as any;
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("output never resolved: the provider probably failed to serialize")), 5000),
  );
  const [value, secret] = await Promise.race([Promise.all([internal.promise(), internal.isSecret]), timeout]);
  return { value, secret };
}

describe("ApiKey under pulumi.runtime.setMocks", () => {
  const registered: Array<{ type: string; name: string; inputs: Record<string, any> }> = [];

  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          return { id: `key_${args.name}`, state: { ...args.inputs, keyId: `key_${args.name}`, hint: "ak_test_mock…" } };
        },
        call: () => ({}),
      },
      "shop",
      "dev",
      false,
    );
  });

  test("inputs wire through with their defaults, and the type token is stable", async () => {
    const { ApiKey } = require("pulumi-apikeys");
    const key = new ApiKey("search-frontend", { environment: "live", privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }] });
    expect((await settle(key.keyId)).value).toBe("key_search-frontend");
    const inputs = registered.find((r) => r.name === "search-frontend")!;
    expect(inputs.type).toBe("pulumi-nodejs:dynamic/apikeys:ApiKey");
    expect(inputs.inputs).toMatchObject({
      displayName: "search-frontend",
      environment: "live",
      privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
      metadata: { "managed-by": "pulumi", "pulumi:project": "shop", "pulumi:stack": "dev", "pulumi:resource": "search-frontend" },
    });
    expect(typeof inputs.inputs.__provider).toBe("string");
  });
});
