// virtual_ipaddress entries as keepalived's alloc_ipaddress() reads them (vrrp_ipaddress.c).

import { isIPv4, isIPv6 } from 'node:net';
import { loc, readInt, type ModelReport, type VirtualIp } from './keepalived-model.js';
import type { KeepalivedEntry } from './keepalived-tree.js';

/** alloc_ipaddress(): `<ip>[/<prefix>] [brd <ip>|+|-] [dev <if>] [scope <s>] [label <l>] …`. */
export function parseVirtualIp(entry: KeepalivedEntry, report: ModelReport): VirtualIp | undefined {
  const [first, ...options] = entry.words;
  const family: 4 | 6 = first.includes(':') ? 6 : 4;
  const maxPrefix = family === 6 ? 128 : 32;
  const slash = first.indexOf('/');
  const address = slash >= 0 ? first.slice(0, slash) : first;
  let prefix = maxPrefix;
  if (slash >= 0) {
    const n = readInt(first.slice(slash + 1), 0, maxPrefix);
    if (n === undefined)
      report(
        entry,
        'error',
        'vipPrefix',
        `Invalid address prefix len ${first.slice(slash + 1)} for address ${first} - using ${maxPrefix}`,
        [first],
      );
    else prefix = n;
  }
  if (!(family === 6 ? isIPv6(address) : isIPv4(address))) {
    report(entry, 'error', 'vipInvalid', `VRRP parsed invalid IP ${first}. skipping IP...`, [first]);
    return undefined;
  }
  const vip: VirtualIp = { at: loc(entry), words: entry.words, address, family, prefix, valid: true };
  let brdMode: '+' | '-' | undefined;
  for (let i = 0; i < options.length; i++) {
    const option = options[i];
    const takesValue = ['dev', 'scope', 'broadcast', 'brd', 'label', 'peer', 'preferred_lft', 'track_group'].includes(
      option,
    );
    const value = options[i + 1];
    if (takesValue && value === undefined) {
      report(entry, 'error', 'vipMissingValue', `Missing parameter for ${option} in ip address ${first}`, [
        option,
        first,
      ]);
      break;
    }
    if (takesValue) i++;
    switch (option) {
      case 'dev':
        vip.dev = value;
        break;
      case 'scope':
        vip.scope = value;
        break;
      case 'brd':
      case 'broadcast':
        if (family === 6) {
          report(
            entry,
            'error',
            'vipBrdIpv6',
            `VRRP is trying to assign a broadcast ${value} to the IPv6 address ${first} !!?? WTF... skipping VIP...`,
            [first],
          );
          vip.valid = false;
        } else if (value === '+' || value === '-') brdMode = value;
        else if (isIPv4(value)) vip.broadcast = value;
        else {
          report(
            entry,
            'error',
            'vipBrdInvalid',
            `VRRP is trying to assign invalid broadcast ${value}. skipping VIP...`,
            [value],
          );
          vip.valid = false;
        }
        break;
      case 'label':
        if (Buffer.byteLength(value) >= 16) {
          report(
            entry,
            'error',
            'vipLabelLong',
            `Address label ${value} is longer than maximum length 15 - removing address`,
            [value],
          );
          vip.valid = false;
        }
        vip.label = value;
        break;
      case 'peer':
      case 'preferred_lft':
      case 'track_group':
      case 'home':
      case '-nodad':
      case 'mngtmpaddr':
      case 'noprefixroute':
      case 'autojoin':
      case 'no_track':
      case 'use_vmac':
        break;
      default:
        report(
          entry,
          'error',
          'vipUnknownOption',
          `Unknown configuration entry '${option}' for ip address - ignoring`,
          [option],
        );
    }
  }
  if (brdMode && family === 4 && prefix <= 30) vip.broadcast = broadcastOf(address, prefix, brdMode);
  return vip;
}

/** `+`: all host bits set (the usual broadcast); `-`: all host bits clear. */
export function broadcastOf(address: string, prefix: number, mode: '+' | '-' = '+'): string {
  const ip = address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  const hostBits = 2 ** (32 - prefix);
  const network = ip - (ip % hostBits);
  const value = mode === '+' ? network + hostBits - 1 : network;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
