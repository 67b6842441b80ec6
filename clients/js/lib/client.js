'use strict';
// Client: commands over the speaker's REQ/REP socket, events from its PUB socket. The same
// API shape as the Python client, promise-based. Requests are queued and sent one at a
// time per Client (cooked REQ): batch routes, a thousand in one call cost about one round
// trip.
const os = require('os');
const path = require('path');
const proto = require('./proto');
const { Socket } = require('./nng');
const { EventStream } = require('./events');
const net = require('net');
const { toPb, fromPb, addressBytes, addressText, u32 } = require('./routes');

// Where the speaker puts its ipc sockets by default (lib/bus_addr.c).
function runtimeDir() {
  if (process.env.BGPBUS_RUNTIME_DIR) return process.env.BGPBUS_RUNTIME_DIR;
  if (process.env.XDG_RUNTIME_DIR) return path.join(process.env.XDG_RUNTIME_DIR, 'bgpbus');
  const uid = os.userInfo().uid;
  return uid === 0 ? '/run/bgpbus' : `/tmp/bgpbus-${uid}`;
}

const defaultUrl = (channel) => `ipc://${runtimeDir()}/${channel}.sock`;
const DECODE = { longs: Number, bytes: Buffer, defaults: false, oneofs: true };
const statusName = (s) => (proto.StatusName[s] || 'STATUS_UNSPECIFIED').slice('STATUS_'.length).toLowerCase();

// A Request refused as a whole: status ("error", "invalid_argument", "no_matching_neighbor",
// "unsupported"), reply (the decoded Reply).
class BgpbusError extends Error {
  constructor(reply) {
    super(`${statusName(reply.status)}: ${reply.error || 'no reason given'}`);
    this.name = 'BgpbusError';
    this.status = statusName(reply.status);
    this.reply = reply;
  }
}

function selector(neighbor) {
  if (neighbor == null) return undefined;
  const list = Array.isArray(neighbor) ? neighbor : [neighbor];
  return { matches: list.map((a) => ({ address: addressBytes(a) })) };
}

// (AFI, SAFI) of the families addNeighbor() takes (RFC 4760; IANA registries).
const FAMILIES = { 'ipv4 unicast': [1, 1], 'ipv6 unicast': [2, 1], 'ipv4 multicast': [1, 2], 'ipv6 multicast': [2, 2] };

function familyCode(name) {
  let key = String(name).trim().toLowerCase();
  if (!key.includes(' ')) key += ' unicast';
  if (!FAMILIES[key]) throw new TypeError(`unknown family ${JSON.stringify(name)} (want one of ${Object.keys(FAMILIES).join(', ')})`);
  const [afi, safi] = FAMILIES[key];
  return { afi, safi };
}

const result = (item) => ({
  ok: item.status === proto.Status.STATUS_OK,
  status: statusName(item.status),
  error: item.error != null ? item.error : null,
});

class Client {
  // command/events: nng URLs (absent = the speaker's defaults); owner tags announced routes;
  // timeout: seconds to wait for a reply; wait false: do not fail while the speaker is not
  // there yet.
  constructor({ command, events, owner = null, timeout = 30, wait = true } = {}) {
    this.commandUrl = command || defaultUrl('command');
    this.eventsUrl = events || defaultUrl('events');
    this.owner = owner;
    this.wait = wait;
    this.nextId = 1;
    this.queue = Promise.resolve();
    this.req = new Socket('req', this.commandUrl, { recvTimeoutMs: Math.round(timeout * 1000), wait });
    this.streams = new Set();
  }

  close() {
    for (const s of this.streams) s.close();
    this.streams.clear();
    this.req.close();
  }

  // Sends one Request (a plain bgpbus.v1.Request object), resolves to its Reply (any status).
  call(request) {
    const req = { ...request };
    if (req.id == null) req.id = this.nextId++;
    if (this.owner != null && req.owner == null) req.owner = this.owner;
    const err = proto.Request.verify(req);
    if (err) return Promise.reject(new TypeError(`bad request: ${err}`));
    const data = Buffer.from(proto.Request.encode(proto.Request.fromObject(req)).finish());
    const run = async () => {
      await this.req.send(data);
      const reply = proto.Reply.toObject(proto.Reply.decode(await this.req.recv()), DECODE);
      if (reply.id != null && reply.id !== req.id) throw new Error(`reply ${reply.id} to request ${req.id}`);
      return reply;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  async checked(request) {
    const rep = await this.call(request);
    const ok = rep.status === proto.Status.STATUS_OK || rep.status === proto.Status.STATUS_PARTIAL;
    if (!ok && !(rep.items && rep.items.length)) throw new BgpbusError(rep);
    return rep;
  }

  // Routes ({prefix, nextHop, asPath, origin, med, localPref, communities, largeCommunities,
  // pathId, multicast, owner}) -> one {ok, status, error} per route, same order.
  async announce(routes, { neighbor, sync } = {}) {
    const rep = await this.checked({ announce: { routes: routes.map((r) => toPb(r)) }, neighbors: selector(neighbor), sync });
    return (rep.items || []).map(result);
  }

  // Routes or prefix texts; only the identity counts.
  async withdraw(routes, { neighbor, sync } = {}) {
    const rep = await this.checked({ withdraw: { routes: routes.map((r) => toPb(r, false)) }, neighbors: selector(neighbor), sync });
    return (rep.items || []).map(result);
  }

  async withdrawOwner(owner) {
    const rep = await this.checked({ withdrawOwner: owner != null ? { owner } : {} });
    return rep.ownerWithdrawn ? rep.ownerWithdrawn.routes || 0 : 0;
  }

  // [{address, state, localAs, peerAs, localAddress, routesAdvertised, routesReceived, pb}]
  async neighbors({ neighbor } = {}) {
    const rep = await this.checked({ listNeighbors: {}, neighbors: selector(neighbor) });
    return ((rep.neighbors && rep.neighbors.neighbors) || []).map((n) => {
      const cfg = n.config || {};
      const st = n.state || {};
      const local = (st.peer && st.peer.localAddress) || cfg.localAddress;
      return {
        address: addressText(cfg.address),
        state: (proto.FsmStateName[st.fsmState] || 'FSM_STATE_UNSPECIFIED').slice(10).toLowerCase(),
        localAs: cfg.localAs, peerAs: cfg.peerAs, localAddress: local ? addressText(local) : null,
        routesAdvertised: st.routesAdvertised || 0, routesReceived: st.routesReceived || 0, pb: n,
      };
    });
  }

  // Adds a neighbor at run time (AddNeighbor; absent settings take the configuration
  // grammar's defaults): {address, localAs, peerAs, localAddress, routerId, holdTime, passive,
  // connect (the peer's port), listen (the local port), families (['ipv4 unicast', ...])}.
  // Refused (the neighbor exists, a bad setting): rejects with BgpbusError.
  async addNeighbor({ address, localAs, peerAs, localAddress, routerId, holdTime, passive, connect, listen, families } = {}) {
    const config = { address: addressBytes(address), localAs: u32('localAs', localAs), peerAs: u32('peerAs', peerAs) };
    if (localAddress != null) config.localAddress = addressBytes(localAddress);
    if (routerId != null) {
      if (net.isIP(routerId) !== 4) throw new TypeError(`routerId must be an IPv4 address, not ${JSON.stringify(routerId)}`);
      config.routerId = addressBytes(routerId);
    }
    if (holdTime != null) config.holdTime = u32('holdTime', holdTime);
    if (passive) config.passive = true;
    if (connect != null) config.peerPort = u32('connect', connect);
    if (listen != null) config.listenPort = u32('listen', listen);
    if (families) config.families = families.map(familyCode);
    await this.checked({ addNeighbor: { config } });
  }

  // Removes the neighbor with this address (its session ends with a Cease). Unknown address:
  // rejects with BgpbusError, status 'no_matching_neighbor'.
  async removeNeighbor(address) {
    await this.checked({ removeNeighbor: {}, neighbors: selector(address) });
  }

  // Adj-RIB-Out routes of owner ("" = every owner), every page: [{neighbor, route}].
  async routes({ owner = '', neighbor } = {}) {
    const out = [];
    let pageToken;
    for (;;) {
      const rep = await this.checked({ listRoutes: { owner, pageToken }, neighbors: selector(neighbor) });
      const table = rep.routes || {};
      for (const p of table.peers || [])
        for (const r of p.routes || [])
          out.push({ neighbor: addressText(p.peer.address), route: fromPb(r.nlri, { attributes: r.attributes, owner: r.owner }) });
      if (!table.nextPageToken) return out;
      pageToken = table.nextPageToken;
    }
  }

  async ping() {
    return (await this.checked({ ping: {} })).pong;
  }

  async version() {
    return (await this.checked({ version: {} })).version.version;
  }

  // An async iterable of events, in order, gaps repaired from the replay ring. types: topic
  // types ("update", "state", "eor", ...; absent = all); neighbor: one peer address;
  // timeout: seconds without an event before the iteration throws (absent = forever).
  // Subscribed when this returns.
  events({ types, neighbor, timeout } = {}) {
    const readEvents = async (fromSeq, topicPrefix) =>
      (await this.checked({ readEvents: { fromSeq, topicPrefix } })).events || {};
    const s = new EventStream(this.eventsUrl, readEvents, { types, neighbor, timeout, wait: this.wait });
    this.streams.add(s);
    const close = s.close.bind(s);
    s.close = () => {
      this.streams.delete(s);
      close();
    };
    return s;
  }
}

module.exports = { Client, BgpbusError, defaultUrl };
