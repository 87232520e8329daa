import { BlockList, isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { type Database, membersAuthorizedFromIp } from '@primaries/db';
import { bindAddress } from '@primaries/redis-protocols';

/**
 * "One vote = one IIN, one mobile number, one IP address" (docs/auth.md). An address that
 * has authorized AUTH_MAX_MEMBERS_PER_IP members in an election is refused for any other
 * member; addresses in AUTH_IP_ALLOWLIST (polling stations, party offices) are exempt.
 * Redis holds the per-address member set for speed; Postgres `authorizations` is the
 * record, and seeds the set whenever Redis has lost it.
 */
export class IpRule {
  private readonly allow = new BlockList();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxMembers: number,
    allowlist: readonly string[],
  ) {
    for (const entry of allowlist) addEntry(this.allow, entry);
  }

  /** True for an address the rule does not apply to. */
  isAllowlisted(ip: string): boolean {
    const plain = unmapIpv4(ip);
    return isIPv4(plain) ? this.allow.check(plain, 'ipv4') : isIPv6(plain) ? this.allow.check(plain, 'ipv6') : false;
  }

  /** Binds the member to the address (its /64 for IPv6) for this election; false when another member holds it. */
  async bind(db: Kysely<Database>, electionId: number, memberId: string, ip: string, ttlSeconds: number): Promise<boolean> {
    if (this.isAllowlisted(ip)) return true;
    const network = addressNetwork(ip);
    const binding = { electionId, memberId, ip: network, maxMembers: this.maxMembers, ttlSeconds };
    let r = await bindAddress(this.redis, this.prefix, binding);
    // Redis lost the address's set (or never had it): seed it from the record.
    if (r === 'unknown') r = await bindAddress(this.redis, this.prefix, binding, await membersAuthorizedFromIp(db, electionId, network));
    return r === 'bound';
  }
}

/**
 * What the one-IP rule and the per-address limits count as one client: an IPv4 address, or
 * an IPv6 address's /64 (one subscriber's network: a client picks any of its 2^64
 * addresses at will). `2001:db8:1:2:aaaa::1` → `2001:db8:1:2::/64`.
 */
export function addressNetwork(ip: string): string {
  const addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv4') return addr.toString();
  const bytes = addr.toByteArray().slice(0, 8);
  return `${ipaddr.fromByteArray([...bytes, 0, 0, 0, 0, 0, 0, 0, 0]).toString()}/64`;
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is 10.0.0.1. */
export function unmapIpv4(ip: string): string {
  return ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

function addEntry(list: BlockList, entry: string): void {
  const [addr, bits] = entry.split('/') as [string, string | undefined];
  const type = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : null;
  if (!type) throw new Error(`AUTH_IP_ALLOWLIST: not an address or CIDR: ${entry}`);
  if (bits === undefined) list.addAddress(addr, type);
  else {
    const n = Number(bits);
    if (!Number.isInteger(n) || n < 0 || n > (type === 'ipv4' ? 32 : 128)) throw new Error(`AUTH_IP_ALLOWLIST: bad prefix length: ${entry}`);
    list.addSubnet(addr, n, type);
  }
}
