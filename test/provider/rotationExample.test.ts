import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** What the program registered, by type: the inputs the engine would have received. */
type Registered = Record<string, Record<string, any>>;

/**
 * examples/rotation under Pulumi's mocks: @pulumi/random's RandomId takes its keepers from the stack
 * config, and its hex becomes the ApiKey's rotation.trigger. The mock stands in for the random
 * provider (a new hex for new keepers, as the real one replaces the RandomId); the engine cannot run
 * it here (no pulumi-resource-random plugin can be built).
 */
async function runExample(config: Record<string, string>): Promise<Registered> {
  const registered: Registered = {};
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered[args.type] = args.inputs;
        if (args.type === "random:index/randomId:RandomId") {
          const hex = createHash("sha256").update(JSON.stringify(args.inputs.keepers)).digest("hex").slice(0, 8);
          return { id: `${args.name}-id`, state: { ...args.inputs, hex } };
        }
        return { id: `${args.name}-id`, state: { ...args.inputs, keyId: "key_mock", secret: "mock-secret", hint: "ak_test_mock…" } };
      },
      call: (args) => args.inputs,
    },
    "rotation",
    "dev",
    false,
  );
  pulumi.runtime.setAllConfig(config);
  let exports: Record<string, pulumi.Output<unknown>> = {};
  jest.isolateModules(() => {
    exports = require("../../examples/rotation/index");
  });
  await new Promise<unknown>((resolve) => exports.rotationTrigger.apply(resolve));
  await new Promise<unknown>((resolve) => exports.keyId.apply(resolve));
  return registered;
}

describe("examples/rotation (@pulumi/random keepers as the rotation trigger), under mocks", () => {
  const randomType = "random:index/randomId:RandomId";
  const keyType = "pulumi-nodejs:dynamic/apikeys:ApiKey";

  test("the config reaches the keepers, and the RandomId's hex is the key's rotation.trigger", async () => {
    const q4 = await runExample({ "rotation:quarter": "2026-Q4" });
    expect(q4[randomType].keepers).toEqual({ quarter: "2026-Q4", incident: "" });
    expect(q4[keyType].rotation).toMatchObject({ gracePeriodSeconds: 86_400 });
    const trigger = q4[keyType].rotation.trigger;
    expect(trigger).toMatch(/^[0-9a-f]{8}$/);

    const sameAgain = await runExample({ "rotation:quarter": "2026-Q4" });
    expect(sameAgain[keyType].rotation.trigger).toBe(trigger);

    const incident = await runExample({ "rotation:quarter": "2026-Q4", "rotation:incident": "INC-4711" });
    expect(incident[randomType].keepers).toEqual({ quarter: "2026-Q4", incident: "INC-4711" });
    expect(incident[keyType].rotation.trigger).not.toBe(trigger);
  });
});
