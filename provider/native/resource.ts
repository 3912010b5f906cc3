import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_API_KEY_TYPE, NATIVE_API_KEY_TYPE } from "../../shared/resourceTypes";
import { withStackLabels, type ApiKeyArgs } from "../resource";
import type { Privilege } from "../../shared/privilege";

/**
 * The ApiKey served by the native provider (`pulumi-resource-apikeys`), for TypeScript: what
 * `pulumi package gen-sdk` makes for other languages. Same arguments and outputs as the dynamic
 * ApiKey; connection settings come from the `apikeys:*` stack config (or an explicit provider).
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
  declare public readonly displayName: pulumi.Output<string>;
  declare public readonly privileges: pulumi.Output<Privilege[]>;

  constructor(name: string, args: ApiKeyArgs = {}, opts: pulumi.CustomResourceOptions = {}) {
    const metadata = withStackLabels(name, args.metadata);
    const outputs = {
      keyId: undefined,
      secret: undefined,
      secretAvailable: undefined,
      hint: undefined,
      createdAt: undefined,
      rotatedAt: undefined,
      lastUsedAt: undefined,
    };
    // An imported key is declared as the API reports it: no labels are added, so the import matches.
    const declared = opts.import ? { ...args, displayName: args.displayName ?? name } : { ...args, displayName: args.displayName ?? name, metadata };
    const aliases = [...(opts.aliases ?? []), { type: DYNAMIC_API_KEY_TYPE }];
    super(NATIVE_API_KEY_TYPE, name, { ...declared, ...outputs }, { ...opts, aliases });
  }
}
