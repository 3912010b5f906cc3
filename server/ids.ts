import { createHmac, createSecretKey, randomBytes, type KeyObject } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * `length` base62 characters from the CSPRNG (about 5.95 bits each). Bytes of 248 and above are
 * dropped so every character is equally likely. `draw` gives random bytes: fresh ones from the CSPRNG
 * by default (secrets and tokens), the id pool's for ids.
 */
function randomBase62(length: number, draw: (size: number) => Uint8Array = randomBytes): string {
  let out = "";
  while (out.length < length) {
    for (const byte of draw(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * CSPRNG bytes for ids, drawn 4 KiB at a time and each handed out once: a verification makes a
 * request id, and a call into the CSPRNG per new millisecond cost more than the rest of the id.
 * Only ids use it (they are public); a secret's bytes are never held before it is made.
 */
const ID_POOL_BYTES = 4096;
let idPool = new Uint8Array(0);
let idPoolNext = 0;
function idPoolBytes(size: number): Uint8Array {
  if (idPoolNext + size > idPool.length) {
    idPool = randomBytes(ID_POOL_BYTES);
    idPoolNext = 0;
  }
  idPoolNext += size;
  return idPool.subarray(idPoolNext - size, idPoolNext);
}

let lastMillis = 0;
let lastRandom = "";

/** The base62 string one greater than `text` (same length); undefined when it is all "z". */
function incrementBase62(text: string): string | undefined {
  // The common case, a last character below "z", without splitting the string: every request id on
  // the verify path is made here (a busy server makes dozens per millisecond).
  const last = BASE62.indexOf(text[text.length - 1]);
  if (last >= 0 && last < BASE62.length - 1) return text.slice(0, -1) + BASE62[last + 1];
  const digits = [...text];
  for (let i = digits.length - 1; i >= 0; i--) {
    const next = BASE62.indexOf(digits[i]) + 1;
    if (next < BASE62.length) {
      digits[i] = BASE62[next];
      return digits.join("");
    }
    digits[i] = BASE62[0];
  }
  return undefined;
}

/**
 * A public identifier that sorts by creation time: prefix, 10 base36 characters of milliseconds,
 * then 10 random base62 characters. Sorting by id is the list order and the pagination cursor.
 * Within one millisecond the random part counts up from the previous id (as ULIDs do), so ids made
 * by one process always sort in the order they were made: an organization's audit entry before its
 * first token's, keys created in a burst in creation order.
 */
export function newId(prefix: string): string {
  const now = Date.now();
  const incremented = now <= lastMillis ? incrementBase62(lastRandom) : undefined;
  if (incremented !== undefined) {
    lastRandom = incremented;
  } else {
    // A new millisecond (or, vanishingly rarely, a full random part): fresh randomness.
    lastMillis = Math.max(now, lastMillis + (now <= lastMillis ? 1 : 0));
    lastRandom = randomBase62(10, idPoolBytes);
  }
  return `${prefix}_${lastMillis.toString(36).padStart(10, "0")}${lastRandom}`;
}

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, "utf8")) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function base62Fixed(value: number, width: number): string {
  let out = "";
  for (let i = 0; i < width; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

export const ENVIRONMENTS = ["live", "test"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Random characters in a secret: 24 × log2(62) ≈ 143 bits. */
const SECRET_RANDOM_LENGTH = 24;
const CHECKSUM_LENGTH = 6;

/**
 * A key secret: `ak_live_` or `ak_test_`, 24 random base62 characters, and a 6-character CRC32
 * checksum so a secret scanner can tell a real key from noise without calling us.
 */
export function newKeySecret(environment: Environment): string {
  const body = `ak_${environment}_${randomBase62(SECRET_RANDOM_LENGTH)}`;
  return body + base62Fixed(crc32(body), CHECKSUM_LENGTH);
}

/** Admin tokens share the key format's checksum so they are just as scannable: `at_` (organization) or `rt_` (root). */
export function newToken(prefix: "at" | "rt"): string {
  const body = `${prefix}_${randomBase62(32)}`;
  return body + base62Fixed(crc32(body), CHECKSUM_LENGTH);
}

/** True when the string has one of our prefixes and its checksum matches: cheap, offline, no database. */
export function hasValidChecksum(candidate: string): boolean {
  if (!/^(ak_(live|test)|at|rt)_[0-9A-Za-z]+$/.test(candidate) || candidate.length < 20) return false;
  const body = candidate.slice(0, -CHECKSUM_LENGTH);
  return base62Fixed(crc32(body), CHECKSUM_LENGTH) === candidate.slice(-CHECKSUM_LENGTH);
}

/** The non-secret prefix shown in lists so people can recognise a key: `ak_live_AbCd…`. */
export function secretHint(secret: string): string {
  const prefixEnd = secret.startsWith("ak_") ? secret.indexOf("_", 3) + 1 : secret.indexOf("_") + 1;
  return `${secret.slice(0, prefixEnd + 4)}…`;
}

/** The pepper as a key object, made once: a string key is converted to bytes on every HMAC. */
let pepperKey: { readonly pepper: string; readonly key: KeyObject } | undefined;

/**
 * Secrets are random and long, so a keyed hash (HMAC-SHA-256 with the server pepper) is enough:
 * no salt or slow hash is needed, and lookup by hash makes verification a single indexed read.
 */
export function hashSecret(pepper: string, secret: string): string {
  // The same bytes as the string key (UTF-8), so every hash already stored still matches.
  if (pepperKey?.pepper !== pepper) pepperKey = { pepper, key: createSecretKey(Buffer.from(pepper, "utf8")) };
  return createHmac("sha256", pepperKey.key).update(secret).digest("base64url");
}

export function newPepper(): string {
  return randomBytes(32).toString("base64url");
}
