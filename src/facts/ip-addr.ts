// IPv4 addresses as `ip -o -4 addr show` prints them (iproute2 print_addrinfo), one line each:
//   3: eth0    inet 203.0.113.10/24 brd 203.0.113.255 scope global secondary eth0:10\       valid_lft forever
// preferred_lft forever
// After the address come `peer`, `brd`, `scope` (and `metric` on newer iproute2) with a value each,
// then the flags (`secondary`, `dynamic`, `noprefixroute`, …) and, last, the label: the kernel
// always sends one for IPv4, equal to the interface name unless `label` set another. The `\` ends the
// address part; what follows it (lifetimes) is not needed.

export interface IpAddrEntry {
  /** 1-based line in the command output. */
  line: number;
  /** The line as shown, without the lifetimes after the `\`. */
  text: string;
  ifindex: number;
  ifname: string;
  address: string;
  prefix: number;
  brd?: string;
  peer?: string;
  scope?: string;
  label?: string;
  flags: string[];
  secondary: boolean;
}

const LINE = /^(\d+):\s+(\S+)\s+inet\s+(.*)$/;
const ADDRESS = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/;
const WITH_VALUE = new Set(['brd', 'peer', 'scope', 'metric', 'proto']);

/** Parse one line; undefined for lines that are not an IPv4 address. */
function parseLine(raw: string, line: number): IpAddrEntry | undefined {
  const text = raw.split('\\')[0]!.trimEnd();
  const match = LINE.exec(text);
  if (!match) return undefined;
  const [address, ...rest] = match[3]!.trim().split(/\s+/);
  const own = ADDRESS.exec(address ?? '');
  if (!own) return undefined;
  const entry: IpAddrEntry = {
    line,
    text,
    ifindex: Number(match[1]),
    ifname: match[2]!,
    address: own[1]!,
    prefix: own[2] === undefined ? 32 : Number(own[2]),
    flags: [],
    secondary: false,
  };
  const loose: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (!WITH_VALUE.has(word) || i + 1 >= rest.length) {
      loose.push(word);
      continue;
    }
    const value = rest[++i]!;
    if (word === 'brd') entry.brd = value;
    else if (word === 'scope') entry.scope = value;
    else if (word === 'peer') {
      // `inet A peer B/P`: the prefix belongs to the peer.
      const peer = ADDRESS.exec(value);
      entry.peer = peer ? peer[1]! : value;
      if (peer?.[2] !== undefined) entry.prefix = Number(peer[2]);
    }
  }
  entry.label = loose.pop();
  entry.flags = loose;
  entry.secondary = loose.includes('secondary');
  return entry;
}

/** All IPv4 addresses in the output of `ip -o -4 addr show`. Never throws; other lines are skipped. */
export function parseIpAddr(output: string): IpAddrEntry[] {
  const entries: IpAddrEntry[] = [];
  output.split('\n').forEach((raw, index) => {
    const entry = parseLine(raw.replace(/\r$/, ''), index + 1);
    if (entry) entries.push(entry);
  });
  return entries;
}

/** The entries that carry the VIP (normally at most one per host). */
export function vipEntries(entries: readonly IpAddrEntry[], vip: string): IpAddrEntry[] {
  return entries.filter((e) => e.address === vip);
}

/** The broadcast address of `address/prefix` (all host bits set), e.g. 203.0.113.255 for /24. */
export function broadcastOf(address: string, prefix: number): string | undefined {
  const own = ADDRESS.exec(address);
  if (!own || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const octets = own[1]!.split('.').map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  const broadcast = Math.floor(value / hostBits) * hostBits + hostBits - 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(broadcast / 2 ** shift) % 256).join('.');
}
