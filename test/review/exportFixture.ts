/** `pulumi stack export` text for the credential report's tests: ApiKeys as the engine exports them. */

export const AS_OF = new Date("2026-12-31T12:00:00Z");
export const daysBefore = (days: number) => new Date(AS_OF.getTime() - days * 86_400_000).toISOString();
/** The signature Pulumi marks a secret value with in state (sdk/go/common/resource/sig). */
export const SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
export const CIPHERTEXT = "v1:qM2kS4+0AAAAAAAAAAAAAAAAAAAAc2VjcmV0LWNpcGhlcnRleHQtdGhhdC1tdXN0LW5ldmVyLXNob3c=";
export const PLAINTEXT = "ak_live_pLaInTeXt0000000000000000000000000000";

/** A secret as `pulumi stack export` writes it without --show-secrets. */
export const encrypted = () => ({ ...SIG, ciphertext: CIPHERTEXT });
/** A secret as `pulumi stack export --show-secrets` writes it: the value's JSON as a string (pkg/resource/stack/deployment.go). */
export const shown = (value: unknown) => ({ ...SIG, plaintext: JSON.stringify(value) });

export const search = { owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" };
export const impersonate = { owner: "SEARCH_API", targetDomain: "IMPERSONATE", type: "ENABLE" };

/** An ApiKey's state as the engine exports it: a secret is `{sig, ciphertext}`, the dynamic provider's code beside the outputs. */
export function apiKey(name: string, outputs: Record<string, unknown>, options: { stack?: string; type?: string; delete?: boolean } = {}) {
  const stack = options.stack ?? "payments";
  const type = options.type ?? "pulumi-nodejs:dynamic/apikeys:ApiKey";
  return {
    urn: `urn:pulumi:${stack}::shop::${type}::${name}`,
    custom: true,
    id: `key_${name}`,
    type,
    inputs: { displayName: name, connection: encrypted() },
    outputs: {
      __provider: "exports.handler = require('pulumi-apikeys/provider/hooks')",
      keyId: `key_${name}`,
      displayName: name,
      description: "",
      environment: "live",
      enabled: true,
      privileges: [search],
      backend: "reference",
      organizationId: "org_acme",
      createdAt: daysBefore(200),
      rotatedAt: daysBefore(10),
      lastUsedAt: daysBefore(1),
      rotation: { rotateAfterDays: 30 },
      secret: encrypted(),
      secretAvailable: true,
      hint: "ak_live_AbCd…",
      metadata: { "pulumi:stack": stack, owner: "payments-team" },
      ...outputs,
    },
    ...(options.delete ? { delete: true } : {}),
  };
}

export function exportText(resources: unknown[], stack = "payments"): string {
  return JSON.stringify({
    version: 3,
    deployment: {
      manifest: { time: AS_OF.toISOString(), magic: "x", version: "v3.248.0" },
      secrets_providers: { type: "passphrase", state: { salt: "v1:abc" } },
      resources: [{ urn: `urn:pulumi:${stack}::shop::pulumi:pulumi:Stack::shop-${stack}`, custom: false, type: "pulumi:pulumi:Stack" }, ...resources],
    },
  });
}
