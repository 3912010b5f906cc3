import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createHmac } from "node:crypto";
import { hasValidChecksum, hashSecret, newId, newKeySecret, newToken } from "../../server/ids";

describe("ids", () => {
  // Lists, pagination cursors and the audit log are ordered by id. Entries written in the same
  // millisecond (an organization and its first token; keys created in a burst) must keep the order
  // they were written in, or the audit log shows a token created before its organization.
  test("ids made one after another in the same process sort in that order, even within one millisecond", () => {
    const ids = Array.from({ length: 20_000 }, () => newId("aud"));
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^aud_[0-9a-z]{10}[0-9A-Za-z]{10}$/);
  });

  // Every database holds hashes made with the pepper as a string key; the key object made from it
  // once must give the same hash, or every stored key stops verifying after an upgrade.
  test("a secret's hash is the HMAC-SHA-256 keyed with the pepper's UTF-8 bytes, for each pepper in turn", () => {
    for (const pepper of ["a-pepper", "pépper-ünïcode", "p".repeat(100), "a-pepper"]) {
      const secret = newKeySecret("test");
      expect(hashSecret(pepper, secret)).toBe(createHmac("sha256", pepper).update(secret).digest("base64url"));
    }
  });
});

describe("the key format published for secret scanners", () => {
  const readme = readFileSync(join(__dirname, "../../docs/rotation.md"), "utf8");
  const published = readme.match(/A regex for scanners:\s*```\s*\n(.+)\n```/)![1];
  const scanner = new RegExp(published, "g");

  test("the regex published in docs/rotation.md finds every kind of secret we issue, whole, inside surrounding text", () => {
    for (let i = 0; i < 200; i++) {
      for (const secret of [newKeySecret("live"), newKeySecret("test"), newToken("at"), newToken("rt")]) {
        const found = [...`config: TOKEN=${secret}\n`.matchAll(scanner)].map((m) => m[0]);
        expect(found).toEqual([secret]);
        expect(hasValidChecksum(found[0])).toBe(true);
      }
    }
    expect(`ak_live_${"a".repeat(29)}`.match(scanner)).toBeNull();
  });
});
