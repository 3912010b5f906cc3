import { createPublicKey, type KeyObject } from "node:crypto";
import { z } from "zod";

/**
 * The public keys that sign secret-scanning alerts, as GitHub publishes them
 * (`GET https://api.github.com/meta/public_keys/secret_scanning`: `{ public_keys: [{ key_identifier,
 * key, is_current }] }`). Configured, never fetched: a server that fetched its trust anchors at run
 * time would trust whatever answered.
 */
function alertKeysDocumentSchema() {
  return z.object({
    public_keys: z
      .array(z.object({ key_identifier: z.string().min(1), key: z.string().min(1), is_current: z.boolean().optional() }).loose())
      .min(1, "must list at least one key"),
  });
}

/** A verified signer: its identifier (as the alert's `Github-Public-Key-Identifier` names it) and key. */
export interface AlertKey {
  readonly identifier: string;
  readonly key: KeyObject;
}

/**
 * Parses the configured keys document (JSON); every key must be an ECDSA P-256 public key in PEM.
 * Throws an Error whose message names what is wrong and never contains the document.
 */
export function parseAlertKeys(json: string): AlertKey[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(
      'must be the JSON GitHub publishes at https://api.github.com/meta/public_keys/secret_scanning, e.g. {"public_keys":[{"key_identifier":"...","key":"-----BEGIN PUBLIC KEY-----..."}]}',
    );
  }
  const parsed = alertKeysDocumentSchema().safeParse(value);
  if (!parsed.success) throw new Error(`public_keys ${parsed.error.issues[0].message} (expected {"public_keys":[{"key_identifier","key"}]})`);
  return parsed.data.public_keys.map((entry, index) => {
    let key: KeyObject;
    try {
      key = createPublicKey(entry.key);
    } catch {
      throw new Error(`public_keys[${index}].key is not a PEM public key`);
    }
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw new Error(`public_keys[${index}].key must be an ECDSA P-256 key (the curve GitHub signs alerts with)`);
    }
    return { identifier: entry.key_identifier, key };
  });
}
