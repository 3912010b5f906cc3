import { BlockList, isIP } from "node:net";

/**
 * Who a request comes from, for the per-address limits. The socket's peer address, unless that peer
 * is one of the operator's trusted proxies (APIKEYS_TRUSTED_PROXIES): then the header the proxies
 * set (APIKEYS_CLIENT_IP_HEADER, x-forwarded-for by default) is believed, read from the right and
 * skipping further trusted hops, so a client cannot choose its own address by sending the header
 * itself. With no trusted proxy (the default) no forwarded header is believed at all.
 *
 * The answer is the key the limits count under, not an address to show: an IPv4 client is its
 * address, an IPv6 client its /64 (one subscriber's allocation, so a client rotating addresses
 * inside it is still one client), and a hop that is not an address is its own text.
 */
export class ClientAddressResolver {
  private readonly trusted = new BlockList();
  private readonly hasTrusted: boolean;

  constructor(
    trustedProxies: readonly string[] = [],
    private readonly header = "x-forwarded-for",
  ) {
    for (const entry of trustedProxies) {
      const [address, bits] = entry.split("/");
      const type = isIP(address) === 6 ? "ipv6" : "ipv4";
      if (bits === undefined) this.trusted.addAddress(address, type);
      else this.trusted.addSubnet(address, Number(bits), type);
    }
    this.hasTrusted = trustedProxies.length > 0;
  }

  /** The client's rate-limit key given the socket's peer and a header reader. */
  resolve(peer: string | undefined, readHeader: (name: string) => string | undefined): string {
    return limitKey(this.clientHop(peer, readHeader));
  }

  private clientHop(peer: string | undefined, readHeader: (name: string) => string | undefined): Hop {
    const socket = parseHop(peer ?? "unknown");
    if (!this.hasTrusted || !this.isTrusted(socket)) return socket;
    const value = readHeader(this.header);
    if (!value) return socket;
    const hops = value.split(",").map(parseHop);
    for (let i = hops.length - 1; i >= 0; i--) {
      // Each hop was written by the trusted proxy to its right. One we cannot read stops the walk:
      // everything to its left is the client's own text, and skipping it would let the client pick.
      if (!this.isTrusted(hops[i])) return hops[i];
    }
    return hops[0];
  }

  private isTrusted(hop: Hop): boolean {
    if (hop.family === 0) return false;
    return this.trusted.check(hop.address, hop.family === 6 ? "ipv6" : "ipv4");
  }
}

/** A forwarded hop: an address without its port, or (family 0) text that is not one. */
export interface Hop {
  readonly address: string;
  readonly family: 0 | 4 | 6;
}

/** The longest hop text kept as a key: a 16 KiB header must not become a 16 KiB bucket name. */
const MAX_UNPARSED_LENGTH = 64;

/**
 * `203.0.113.10`, `203.0.113.10:51234`, `2001:db8::10`, `[2001:db8::10]`, `[2001:db8::10]:443` and
 * `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket, the same client as `10.0.0.1`).
 */
function parseHop(text: string): Hop {
  let address = text.trim();
  const bracketed = address.match(/^\[([^\]]+)\](?::\d{1,5})?$/);
  if (bracketed) address = bracketed[1];
  else {
    const withPort = address.match(/^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/);
    if (withPort) address = withPort[1];
  }
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  if (mapped) address = mapped[1];
  const family = isIP(address);
  if (family === 4 || family === 6) return { address, family };
  return { address: `unparsed:${text.trim().slice(0, MAX_UNPARSED_LENGTH)}`, family: 0 };
}

function limitKey(hop: Hop): string {
  return hop.family === 6 ? ipv6Prefix64(hop.address) : hop.address;
}

/** `2001:0db8:1:2:ffff::1` as `2001:db8:1:2::/64`: the first four groups, however the address is written. */
function ipv6Prefix64(address: string): string {
  const withoutZone = address.split("%")[0].toLowerCase();
  // A trailing dotted quad (64:ff9b::192.0.2.1) is the last two groups.
  const dotted = withoutZone.match(/^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  const hex = dotted
    ? `${dotted[1]}${((Number(dotted[2]) << 8) | Number(dotted[3])).toString(16)}:${((Number(dotted[4]) << 8) | Number(dotted[5])).toString(16)}`
    : withoutZone;
  const [head, tail] = hex.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(":") : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}
