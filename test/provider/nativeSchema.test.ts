import { apiKeyInputsSchema } from "../../provider/keyState/inputs";
import { API_KEY_OUTPUTS, OUTPUT_TABLE, SECRET_OUTPUTS } from "../../provider/keyState/outputs";
import { packageSchema } from "../../provider/native/schema";
import { NATIVE_API_KEY_TYPE } from "../../shared/resourceTypes";

describe("the native provider's package schema", () => {
  const schema = packageSchema("0.1.0") as any;
  const resource = schema.resources[NATIVE_API_KEY_TYPE];

  test("declares every input the zod schema accepts, and the outputs, from the same source", () => {
    expect(Object.keys(resource.inputProperties).sort()).toEqual(Object.keys(apiKeyInputsSchema().shape).sort());
    // The properties are the inputs and the output table's rows, nothing else, each with the table's description.
    expect(Object.keys(resource.properties).sort()).toEqual([...Object.keys(apiKeyInputsSchema().shape), ...API_KEY_OUTPUTS].sort());
    for (const output of API_KEY_OUTPUTS) expect(resource.properties[output].description).toBe(OUTPUT_TABLE[output].description);
    expect(API_KEY_OUTPUTS).toEqual(expect.arrayContaining(["secretPending", "lastUsedAt", "rotationSecret", "revokedReason", "pendingRevocations"]));
    expect(resource.inputProperties.privileges).toEqual({ type: "array", items: { $ref: "#/types/apikeys:index:Privilege" } });
    expect(schema.types["apikeys:index:Privilege"].required).toEqual(["owner", "targetDomain", "type"]);
  });

  test("marks the secret, the rotation secret and the admin token secret, so every language's SDK keeps them encrypted", () => {
    expect(SECRET_OUTPUTS).toEqual(["secret", "rotationSecret"]);
    for (const output of API_KEY_OUTPUTS)
      expect({ output, secret: resource.properties[output].secret }).toEqual({ output, secret: SECRET_OUTPUTS.includes(output) || undefined });
    expect(schema.types["apikeys:index:Connection"].properties.token.secret).toBe(true);
    expect(schema.config.variables.token.secret).toBe(true);
    expect(resource.properties.hint.secret).toBeUndefined();
  });

  test("requires the outputs a key always has, and types nested outputs as ApiKeyOutputs does", () => {
    // environment and privileges have defaults, but not on every backend (a Coveo key has no environment).
    expect(resource.required.sort()).toEqual(
      ["keyId", "secretAvailable", "hint", "createdAt", "rotatedAt", "backend", "organizationId", "displayName", "description", "enabled"].sort(),
    );
    expect(schema.types["apikeys:index:Exposure"].required).toEqual(["severity", "reasons"]);
    expect(schema.types["apikeys:index:ExposureReason"]).toEqual({
      type: "object",
      properties: { source: { type: "string" }, url: { type: "string" } },
      required: ["source"],
    });
    expect(schema.types["apikeys:index:PendingRevocation"].required).toEqual(["keyId", "revokeAfter"]);
  });
});
