'use strict';
// Routes as plain objects, and their bgpbus.v1 protobuf form (route.proto, attributes.proto).
// Addresses are text here and 4/16 octets on the bus; communities are ExaBGP's "65000:1"
// text (or the well-known names) here and (high << 16) | low on the bus (RFC 1997).
const net = require('net');

// RFC 1997, RFC 3765, RFC 7999: ExaBGP's names for the well-known communities.
const WELL_KNOWN = {
  'no-export': 0xffffff01,
  'no-advertise': 0xffffff02,
  'no-export-subconfed': 0xffffff03,
  nopeer: 0xffffff04,
  blackhole: 0xffff029a,
};
const WELL_KNOWN_NAMES = Object.fromEntries(Object.entries(WELL_KNOWN).map(([k, v]) => [v, k]));
// ORIGIN: enum value = wire value + 1 (attributes.proto).
const ORIGINS = { igp: 1, egp: 2, incomplete: 3 };
const ORIGIN_NAMES = { 1: 'igp', 2: 'egp', 3: 'incomplete' };

function u32(name, v) {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new RangeError(`${name} must be an integer 0..4294967295, not ${v}`);
  return v;
}

function addressBytes(text) {
  const kind = net.isIP(text);
  if (kind === 4) return Buffer.from(text.split('.').map(Number));
  if (kind !== 6) throw new TypeError(`bad address ${JSON.stringify(text)}`);
  let [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const groups = (s) => (s ? s.split(':') : []);
  let h = groups(head);
  let tl = tail === null ? [] : groups(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
  const v4 = (arr) => {
    const last = arr[arr.length - 1];
    if (last && last.includes('.')) {
      const b = last.split('.').map(Number);
      arr.splice(arr.length - 1, 1, ((b[0] << 8) | b[1]).toString(16), ((b[2] << 8) | b[3]).toString(16));
    }
    return arr;
  };
  if (tail === null) h = v4(h);
  else tl = v4(tl);
  const fill = tail === null ? [] : new Array(8 - h.length - tl.length).fill('0');
  const all = [...h, ...fill, ...tl];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function addressText(b) {
  if (!b) return null;
  const buf = Buffer.from(b);
  if (buf.length === 4) return Array.from(buf).join('.');
  if (buf.length !== 16) return buf.toString('hex');
  const g = [];
  for (let i = 0; i < 16; i += 2) g.push(buf.readUInt16BE(i));
  // RFC 5952 4.2.3: the longest run (of two or more) of zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function parsePrefix(text) {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(String(text));
  if (!m) throw new TypeError(`bad prefix ${JSON.stringify(text)}`);
  const address = addressBytes(m[1]);
  const length = Number(m[2]);
  if (length > address.length * 8) throw new RangeError(`bad prefix length in ${text}`);
  // Host bits must be zero: the speaker refuses them as ExaBGP does ("invalid network").
  for (let bit = length; bit < address.length * 8; bit++)
    if (address[bit >> 3] & (0x80 >> (bit & 7))) throw new RangeError(`${text} has host bits set`);
  return { address, length };
}

function communityValue(c) {
  if (Number.isInteger(c)) return u32('community', c);
  if (typeof c === 'string') {
    const wk = WELL_KNOWN[c.toLowerCase()];
    if (wk !== undefined) return wk;
    const m = /^(\d+):(\d+)$/.exec(c);
    if (m && Number(m[1]) <= 0xffff && Number(m[2]) <= 0xffff) return Number(m[1]) * 65536 + Number(m[2]);
  }
  throw new TypeError(`bad community ${JSON.stringify(c)} (want "a:b", 16 bits each, or a well-known name)`);
}

function communityText(v) {
  return WELL_KNOWN_NAMES[v] || `${Math.floor(v / 65536)}:${v % 65536}`;
}

function largeValue(c) {
  const p = typeof c === 'string' ? c.split(':') : [];
  if (p.length !== 3 || !p.every((x) => /^\d+$/.test(x) && Number(x) <= 0xffffffff))
    throw new TypeError(`bad large community ${JSON.stringify(c)} (want "a:b:c")`);
  return { globalAdmin: Number(p[0]), localData_1: Number(p[1]), localData_2: Number(p[2]) };
}

function toNlri(route) {
  const nlri = {};
  nlri[route.multicast ? 'multicast' : 'unicast'] = parsePrefix(route.prefix);
  if (route.pathId != null) nlri.pathId = u32('pathId', route.pathId);
  return nlri;
}

// A route object (or prefix text) -> a bgpbus.v1.Route plain object for protobufjs.
function toPb(route, withAttributes = true) {
  if (typeof route === 'string') route = { prefix: route };
  const r = { nlri: toNlri(route) };
  if (route.owner != null) r.owner = route.owner;
  if (!withAttributes) return r;
  const a = {};
  if (route.nextHop != null)
    a.nextHop = route.nextHop === 'self' ? { useLocalAddress: true } : { address: addressBytes(route.nextHop) };
  if (route.asPath != null)
    a.asPath = {
      segments: route.asPath.length ? [{ type: 2, asns: route.asPath.map((x) => u32('asPath', x)) }] : [],
    };
  if (route.origin != null) {
    if (!ORIGINS[route.origin]) throw new TypeError(`bad origin ${route.origin} (igp, egp or incomplete)`);
    a.origin = ORIGINS[route.origin];
  }
  if (route.med != null) a.med = u32('med', route.med);
  if (route.localPref != null) a.localPref = u32('localPref', route.localPref);
  if (route.communities && route.communities.length) a.communities = route.communities.map(communityValue);
  if (route.largeCommunities && route.largeCommunities.length)
    a.largeCommunities = route.largeCommunities.map(largeValue);
  r.attributes = a;
  return r;
}

const FAMILY_NAMES = { '1/1': 'ipv4 unicast', '2/1': 'ipv6 unicast', '1/2': 'ipv4 multicast', '2/2': 'ipv6 multicast' };

function familyText(f) {
  const k = `${f.afi}/${f.safi}`;
  return FAMILY_NAMES[k] || k;
}

function nlriText(n) {
  const p = n.unicast || n.multicast || (n.labeledUnicast || n.vpn || {}).prefix;
  if (p) return `${addressText(p.address)}/${p.length || 0}`;
  return n.nlri || 'unknown';
}

// A decoded bgpbus.v1 Nlri (+ family, attributes, next hop) -> a route object.
function fromPb(nlri, { family, attributes, nextHop, owner } = {}) {
  const r = { prefix: nlriText(nlri), multicast: !!nlri.multicast };
  if (nlri.pathId != null) r.pathId = nlri.pathId;
  if (family) r.family = familyText(family);
  if (owner != null) r.owner = owner;
  const a = attributes;
  if (!a) return r;
  const nh = nextHop || a.nextHop;
  if (nh) r.nextHop = nh.useLocalAddress ? 'self' : addressText(nh.address);
  if (a.asPath) r.asPath = (a.asPath.segments || []).flatMap((s) => s.asns || []);
  if (a.origin != null) r.origin = ORIGIN_NAMES[a.origin];
  if (a.med != null) r.med = a.med;
  if (a.localPref != null) r.localPref = a.localPref;
  r.communities = (a.communities || []).map(communityText);
  r.largeCommunities = (a.largeCommunities || []).map((c) => `${c.globalAdmin}:${c.localData_1}:${c.localData_2}`);
  return r;
}

module.exports = { toPb, fromPb, addressBytes, addressText, parsePrefix, communityValue, communityText, u32 };
