import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_API_KEY_TYPE, NATIVE_API_KEY_TYPE } from "../../shared/resourceTypes";
import { withStackLabels, type ApiKeyArgs } from "../resource";
import type { Privilege } from "../../shared/privilege";
import type { BackendName } from "../backends/registry";
import type { KeyExposure } from "../keyState/exposure";
import { outputPlaceholders } from "../keyState/outputs";

/**
 * The ApiKey served by the native provider (`pulumi-resource-apikeys`), for TypeScript: what
 * `pulumi package gen-sdk` makes for other languages. The same arguments as the dynamic ApiKey,
 * and the outputs the provider fills (`API_KEY_OUTPUTS`); of the declared inputs only displayName and
 * privileges are declared as outputs. Connection settings come from the `apikeys:*` stack config (or
 * an explicit provider).
 *
 * A stack moves to it by renaming `ApiKey` to `NativeApiKey`: the alias below takes over the dynamic
 * resource of the same name with its key and secret (no replacement), and the first `up` after the
 * move updates its state once to drop the dynamic provider's serialized code.
 */
export class NativeApiKey extends pulumi.CustomResource {
  declare public readonly keyId: pulumi.Output<string>;
  /** A Pulumi secret: the provider returns it as one. */
  declare public readonly secret: pulumi.Output<string | undefined>;
  declare public readonly secretAvailable: pulumi.Output<boolean>;
  declare public readonly hint: pulumi.Output<string>;
  declare public readonly createdAt: pulumi.Output<string>;
  declare public readonly rotatedAt: pulumi.Output<string>;
  /** When the key was last used, as the key API reported it at the last refresh (see ApiKey). */
  declare public readonly lastUsedAt: pulumi.Output<string | undefined>;
  declare public readonly organizationId: pulumi.Output<string>;
  declare public readonly backend: pulumi.Output<BackendName>;
  /** A Pulumi secret, for a backend that rotates in place (see ApiKey). */
  declare public readonly rotationSecret: pulumi.Output<string | undefined>;
  declare public readonly exposure: pulumi.Output<KeyExposure | undefined>;
  declare public readonly revokedReason: pulumi.Output<"leaked" | undefined>;
  declare public readonly pendingRevocations: pulumi.Output<{ keyId: string; revokeAfter: string }[] | undefined>;
  /** Of the declared inputs, these two are declared as outputs here; the others are in the state too. */
  declare public readonly displayName: pulumi.Output<string>;
  declare public readonly privileges: pulumi.Output<Privilege[]>;

  constructor(name: string, args: ApiKeyArgs = {}, opts: pulumi.CustomResourceOptions = {}) {
    const metadata = withStackLabels(name, args.metadata);
    const outputs = outputPlaceholders();
    // An imported key is declared as the API reports it: no labels are added, so the import matches.
    const declared = opts.import ? { ...args, displayName: args.displayName ?? name } : { ...args, displayName: args.displayName ?? name, metadata };
    const aliases = [...(opts.aliases ?? []), { type: DYNAMIC_API_KEY_TYPE }];
    super(NATIVE_API_KEY_TYPE, name, { ...declared, ...outputs }, { ...opts, aliases });
  }
}
