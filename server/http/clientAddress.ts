import { BlockList, isIP } from "node:net";

/**
 * Who a request comes from, for the per-address limits. The socket's peer address, unless that peer
 * is one of the operator's trusted proxies (APIKEYS_TRUSTED_PROXIES): then the header the proxies
 * set (APIKEYS_CLIENT_IP_HEADER, x-forwarded-for by default) is believed, read from the right and
 * skipping further trusted hops, so a client cannot choose its own address by sending the header
 * itself. With no trusted proxy (the default) no forwarded header is believed at all.
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

  /** The client's address given the socket's peer and a header reader. */
  resolve(peer: string | undefined, readHeader: (name: string) => string | undefined): string {
    const socketAddress = normalize(peer ?? "unknown");
    if (!this.hasTrusted || !this.isTrusted(socketAddress)) return socketAddress;
    const value = readHeader(this.header);
    if (!value) return socketAddress;
    const hops = value
      .split(",")
      .map((hop) => normalize(hop.trim()))
      .filter((hop) => isIP(hop) !== 0);
    for (let i = hops.length - 1; i >= 0; i--) {
      if (!this.isTrusted(hops[i])) return hops[i];
    }
    return hops[0] ?? socketAddress;
  }

  private isTrusted(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    return this.trusted.check(address, family === 6 ? "ipv6" : "ipv4");
  }
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is the same client as `10.0.0.1`. */
function normalize(address: string): string {
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  return mapped ? mapped[1] : address;
}
