import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_API_KEY_TYPE, NATIVE_API_KEY_TYPE } from "../../shared/resourceTypes";
import { withStackLabels, type ApiKeyArgs, type KeyOutput } from "../resource";
import { outputPlaceholders } from "../keyState/outputs";

/**
 * The ApiKey served by the native provider (`pulumi-resource-apikeys`), for TypeScript: what
 * `pulumi package gen-sdk` makes for other languages. The same arguments and the same outputs as
 * the dynamic ApiKey (the outputs the provider fills, `OUTPUT_TABLE`, and every declared input as
 * the API stored it). Connection settings come from the `apikeys:*` stack config (or an explicit
 * provider).
 *
 * A stack moves to it by renaming `ApiKey` to `NativeApiKey`: the alias below takes over the dynamic
 * resource of the same name with its key and secret (no replacement), and the first `up` after the
 * move updates its state once to drop the dynamic provider's serialized code.
 */
export class NativeApiKey extends pulumi.CustomResource {
  // The outputs (provider/keyState/outputs.ts OUTPUT_TABLE), then every declared input as the API stored it.
  // ApiKey declares the same members; provider/outputMembers.ts fails to compile when they drift.
  /** The key's public id (also its client id). */
  declare public readonly keyId: KeyOutput<"keyId">;
  /** The key's secret, a Pulumi secret. Undefined for an adopted key (see `secretAvailable`). */
  declare public readonly secret: KeyOutput<"secret">;
  /** False when the stack does not know the secret (an adopted key). */
  declare public readonly secretAvailable: KeyOutput<"secretAvailable">;
  /** True while a key whose create could not finish waits for its secret: the next `pulumi up` issues it. */
  declare public readonly secretPending: KeyOutput<"secretPending">;
  /** A non-secret prefix to recognise the key, e.g. `ak_live_AbCd…`. */
  declare public readonly hint: KeyOutput<"hint">;
  declare public readonly createdAt: KeyOutput<"createdAt">;
  /** When the current secret was issued. */
  declare public readonly rotatedAt: KeyOutput<"rotatedAt">;
  /**
   * When the key was last used, as the key API reported it at the last `pulumi refresh`; undefined
   * when it never was, or when the API does not say (Didomi). Never causes a change.
   */
  declare public readonly lastUsedAt: KeyOutput<"lastUsedAt">;
  declare public readonly organizationId: KeyOutput<"organizationId">;
  declare public readonly backend: KeyOutput<"backend">;
  /** For a backend that rotates in place: the credential its rotate call needs; a Pulumi secret. */
  declare public readonly rotationSecret: KeyOutput<"rotationSecret">;
  /** What the key API reported when it found the secret exposed (after a refresh); undefined otherwise. */
  declare public readonly exposure: KeyOutput<"exposure">;
  /** `leaked` once a refresh finds the key API revoked the key because its secret leaked; the next `up` replaces it. */
  declare public readonly revokedReason: KeyOutput<"revokedReason">;
  /** Old keys a rotation keeps working until their grace ends, where the API cannot schedule that (Didomi). */
  declare public readonly pendingRevocations: KeyOutput<"pendingRevocations">;
  declare public readonly displayName: KeyOutput<"displayName">;
  declare public readonly description: KeyOutput<"description">;
  declare public readonly environment: KeyOutput<"environment">;
  declare public readonly enabled: KeyOutput<"enabled">;
  declare public readonly privileges: KeyOutput<"privileges">;
  declare public readonly expiresAt: KeyOutput<"expiresAt">;
  declare public readonly lifetime: KeyOutput<"lifetime">;
  declare public readonly allowedIps: KeyOutput<"allowedIps">;
  declare public readonly deniedIps: KeyOutput<"deniedIps">;
  declare public readonly templateId: KeyOutput<"templateId">;
  declare public readonly additionalConfiguration: KeyOutput<"additionalConfiguration">;
  declare public readonly isInternal: KeyOutput<"isInternal">;
  /** A described API's scopes (connection.backend http), as the API stored them. */
  declare public readonly scopes: KeyOutput<"scopes">;
  declare public readonly rotation: KeyOutput<"rotation">;
  /** The connection settings declared on the resource; a Pulumi secret when they hold a token. */
  declare public readonly connection: KeyOutput<"connection">;
  declare public readonly adoptKeyId: KeyOutput<"adoptKeyId">;
  /** The labels stored with the key, the stack's own included. */
  declare public readonly metadata: KeyOutput<"metadata">;

  constructor(name: string, args: ApiKeyArgs = {}, opts: pulumi.CustomResourceOptions = {}) {
    const metadata = withStackLabels(name, args.metadata);
    const outputs = outputPlaceholders();
    // An imported key is declared as the API reports it: no labels are added, so the import matches.
    const declared = opts.import ? { ...args, displayName: args.displayName ?? name } : { ...args, displayName: args.displayName ?? name, metadata };
    const aliases = [...(opts.aliases ?? []), { type: DYNAMIC_API_KEY_TYPE }];
    // Placeholders first: every input name is also an output, and a declared value must win over its placeholder.
    super(NATIVE_API_KEY_TYPE, name, { ...outputs, ...declared }, { ...opts, aliases });
  }
}
