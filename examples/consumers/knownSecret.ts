import * as pulumi from "@pulumi/pulumi";
import type { ApiKey } from "pulumi-apikeys";

/**
 * The key's secret for a consumer that takes a string (a Kubernetes Secret, a CI secret, a file).
 * `ApiKey.secret` is `string | undefined`: an adopted key whose secret the stack never saw has none.
 * Handing such a key on would write an empty value where a service expects its credential, so the
 * `up` stops instead, naming the key and the fix. Still a Pulumi secret; unknown at preview for a
 * key not created yet, like the secret itself.
 */
export function knownSecret(key: ApiKey): pulumi.Output<string> {
  return pulumi.all([key.urn, key.secret]).apply(([urn, secret]) => {
    if (secret === undefined) {
      throw new Error(
        `${urn} has no secret this stack knows (a key adopted with adoptKeyId): set rotation.rollOnAdopt or change rotation.trigger to issue one before handing it to consumers`,
      );
    }
    return secret;
  });
}
