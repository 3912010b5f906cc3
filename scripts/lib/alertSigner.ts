import { generateKeyPairSync, sign } from "node:crypto";

/** A public key as GitHub publishes it for secret scanning (an entry of APIKEYS_LEAK_ALERT_KEYS's `public_keys`). */
export interface PublishedAlertKey {
  readonly key_identifier: string;
  readonly key: string;
  readonly is_current: boolean;
}

export interface AlertSigner {
  /** The public half, for `{ public_keys: [published] }` in APIKEYS_LEAK_ALERT_KEYS. */
  readonly published: PublishedAlertKey;
  /** The base64 ECDSA signature of a delivery's body. */
  sign(body: string): string;
  /** The headers a signed delivery carries (content type, key identifier, signature). */
  headers(body: string): Record<string, string>;
}

/**
 * Signs secret-scanning alerts like GitHub's partner program: an ECDSA P-256 key pair made for this
 * process, the public half as GitHub publishes it (for APIKEYS_LEAK_ALERT_KEYS), and the headers a
 * signed delivery carries. Used by the demo's leak drill and by the tests (test/helpers/alertSigner.ts),
 * so it imports nothing but Node.
 */
export function alertSigner(identifier: string): AlertSigner {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signature = (body: string) => sign("sha256", Buffer.from(body), privateKey).toString("base64");
  return {
    published: { key_identifier: identifier, key: publicKey.export({ type: "spki", format: "pem" }).toString(), is_current: true },
    sign: signature,
    headers: (body: string) => ({
      "content-type": "application/json",
      "Github-Public-Key-Identifier": identifier,
      "Github-Public-Key-Signature": signature(body),
    }),
  };
}
