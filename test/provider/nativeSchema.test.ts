import { apiKeyInputsSchema } from "../../provider/keyState/inputs";
import { packageSchema } from "../../provider/native/schema";
import { NATIVE_API_KEY_TYPE } from "../../shared/resourceTypes";

describe("the native provider's package schema", () => {
  const schema = packageSchema("0.1.0") as any;
  const resource = schema.resources[NATIVE_API_KEY_TYPE];

  test("declares every input the zod schema accepts, and the outputs, from the same source", () => {
    expect(Object.keys(resource.inputProperties).sort()).toEqual(Object.keys(apiKeyInputsSchema().shape).sort());
    for (const output of ["keyId", "secret", "secretAvailable", "hint", "createdAt", "rotatedAt", "exposure", "pendingRevocations", "revokedReason"]) {
      expect(resource.properties).toHaveProperty(output);
    }
    expect(resource.inputProperties.privileges).toEqual({ type: "array", items: { $ref: "#/types/apikeys:index:Privilege" } });
    expect(schema.types["apikeys:index:Privilege"].required).toEqual(["owner", "targetDomain", "type"]);
  });

  test("marks the secret, the rotation secret and the admin token secret, so every language's SDK keeps them encrypted", () => {
    expect(resource.properties.secret.secret).toBe(true);
    expect(resource.properties.rotationSecret.secret).toBe(true);
    expect(schema.types["apikeys:index:Connection"].properties.token.secret).toBe(true);
    expect(schema.config.variables.token.secret).toBe(true);
    expect(resource.properties.hint.secret).toBeUndefined();
  });
});
