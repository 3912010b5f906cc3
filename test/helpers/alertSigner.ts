import { generateKeyPairSync, sign } from "node:crypto";

/**
 * Signs secret-scanning alerts like GitHub's partner program: an ECDSA P-256 key pair, the public
 * half as GitHub publishes it (for APIKEYS_LEAK_ALERT_KEYS), and the headers a signed delivery carries.
 */
export function alertSigner(identifier: string) {
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
