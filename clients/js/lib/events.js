'use strict';
// Events from the speaker's PUB socket, in order and without holes.
//
// PUB/SUB drops silently (event.proto). Every Event carries three counters; the stream tracks
// the one matching each subscription's depth ("ev/" -> seq, "ev/<type>/" -> typeSeq,
// "ev/<type>/<peer>/" -> peerSeq). A jump is a gap: the missing events are read back from
// the speaker's replay ring (ReadEvents) and delivered before the event that revealed it.
// Events already delivered (a repair overtakes the PUB queue) are dropped as duplicates. A
// new epoch means the speaker restarted: counters start again (counted in `restarts`).
const proto = require('./proto');
const { Socket, NNG_ECLOSED, NNG_ETIMEDOUT } = require('./nng');
const { fromPb, addressText } = require('./routes');

// Event.body member -> topic type (event.proto).
const TOPIC_TYPES = {
  state: 'state', open: 'open', negotiated: 'negotiated', update: 'update',
  notification: 'notification', keepalive: 'keepalive', routeRefresh: 'refresh', eor: 'eor',
  operational: 'operational', speaker: 'speaker',
};
const TYPES = new Set(Object.values(TOPIC_TYPES));
const CHANGES = { 1: 'connected', 2: 'up', 3: 'down' };

const num = (v) => (v == null ? 0 : Number(v));
const DECODE = { longs: Number, bytes: Buffer, defaults: false, oneofs: true };

function stateName(v) {
  return (proto.FsmStateName[v] || 'FSM_STATE_UNSPECIFIED').slice('FSM_STATE_'.length).toLowerCase();
}

// A decoded bgpbus.v1 Event (plain object) -> the user's event object.
function toEvent(pb) {
  const ev = {
    type: TOPIC_TYPES[pb.body] || pb.body || 'unknown',
    neighbor: pb.peer && pb.peer.address ? addressText(pb.peer.address) : null,
    epoch: num(pb.epoch), seq: num(pb.seq), typeSeq: num(pb.typeSeq), peerSeq: num(pb.peerSeq),
    time: pb.time, direction: { 1: 'received', 2: 'sent' }[pb.direction] || null,
    announced: [], withdrawn: [], pb,
  };
  if (pb.update) {
    const u = pb.update;
    for (const g of u.announced || [])
      for (const n of g.nlri || [])
        ev.announced.push(fromPb(n, { family: g.family, attributes: u.attributes || {}, nextHop: g.nextHop }));
    for (const g of u.withdrawn || []) for (const n of g.nlri || []) ev.withdrawn.push(fromPb(n, { family: g.family }));
  } else if (pb.state) {
    ev.state = stateName(pb.state.current);
    ev.previousState = stateName(pb.state.previous);
    ev.change = CHANGES[pb.state.change] || null;
    ev.reason = pb.state.reason != null ? pb.state.reason : null;
  }
  return ev;
}

function topicsFor(types, neighbor) {
  if (!types || !types.length) return [{ prefix: 'ev/', depth: 0 }];
  for (const t of types) if (!TYPES.has(t)) throw new TypeError(`unknown event type ${t} (one of ${[...TYPES].join(', ')})`);
  return types.map((t) => (neighbor ? { prefix: `ev/${t}/${neighbor}/`, depth: 2 } : { prefix: `ev/${t}/`, depth: 1 }));
}

const counter = (pb, depth) => num([pb.seq, pb.typeSeq, pb.peerSeq][depth]);

class EventStream {
  // readEvents(fromSeq, topicPrefix) -> Promise of the EventPage (plain object).
  constructor(url, readEvents, { types = null, neighbor = null, timeout = null, wait = true } = {}) {
    this.topics = topicsFor(types, neighbor);
    this.neighbor = neighbor;
    this.timeout = timeout;
    this.readEvents = readEvents;
    this.epoch = null;
    this.last = new Map(); // prefix -> { c, seq } of the last delivered event
    this.pending = [];
    this.gaps = this.repaired = this.lost = this.duplicates = this.restarts = 0;
    this.sock = new Socket('sub', url, { recvTimeoutMs: timeout ? Math.round(timeout * 1000) : null, wait });
    for (const t of this.topics) this.sock.subscribe(t.prefix);
  }

  close() {
    this.sock.close();
  }

  match(topic) {
    let best = null;
    for (const t of this.topics) if (topic.startsWith(t.prefix) && (!best || t.prefix.length > best.prefix.length)) best = t;
    return best;
  }

  wanted(pb) {
    return !this.neighbor || (pb.peer && addressText(pb.peer.address) === this.neighbor);
  }

  async repair(sub, last, upto) {
    const uptoC = counter(upto, sub.depth);
    const uptoSeq = num(upto.seq);
    const want = uptoC - last.c - 1;
    const got = [];
    let from = last.seq + 1;
    while (from < uptoSeq) {
      const page = await this.readEvents(from, sub.prefix);
      if (num(page.epoch) !== num(upto.epoch)) break;
      if (num(page.oldestSeq) > from) from = num(page.oldestSeq);
      let used = 0;
      for (const ev of page.events || []) {
        if (num(ev.seq) >= uptoSeq) {
          from = uptoSeq;
          break;
        }
        from = num(ev.seq) + 1;
        const c = counter(ev, sub.depth);
        if (c > last.c && c < uptoC) got.push(ev);
        used++;
      }
      if (used === 0) break;
    }
    this.repaired += got.length;
    this.lost += Math.max(0, want - got.length);
    return got;
  }

  // The next event, or null once closed.
  async next() {
    for (;;) {
      if (this.pending.length) return toEvent(this.pending.shift());
      let msg;
      try {
        msg = await this.sock.recv();
      } catch (e) {
        if (e.errno === NNG_ECLOSED) return null;
        if (e.errno === NNG_ETIMEDOUT) throw Object.assign(new Error(`no event within ${this.timeout} s`), { code: 'ETIMEDOUT' });
        throw e;
      }
      const nul = msg.indexOf(0);
      if (nul < 0) continue;
      const sub = this.match(msg.toString('latin1', 0, nul));
      if (!sub) continue;
      let pb;
      try {
        pb = proto.Event.toObject(proto.Event.decode(msg.subarray(nul + 1)), DECODE);
      } catch (e) {
        continue; // not an Event: nothing to deliver, nothing to track
      }
      const epoch = num(pb.epoch);
      if (this.epoch !== epoch) {
        if (this.epoch !== null) {
          this.restarts++;
          this.last.clear();
        }
        this.epoch = epoch;
      }
      const c = counter(pb, sub.depth);
      const last = this.last.get(sub.prefix);
      if (last && c <= last.c) {
        this.duplicates++;
        continue;
      }
      this.last.set(sub.prefix, { c, seq: num(pb.seq) });
      if (last && c !== last.c + 1) {
        this.gaps++;
        for (const ev of await this.repair(sub, last, pb)) if (this.wanted(ev)) this.pending.push(ev);
      }
      if (this.wanted(pb)) this.pending.push(pb);
    }
  }

  [Symbol.asyncIterator]() {
    return {
      next: async () => {
        const ev = await this.next();
        return ev ? { value: ev, done: false } : { value: undefined, done: true };
      },
      // `break` out of a for await loop ends the subscription.
      return: async () => {
        this.close();
        return { value: undefined, done: true };
      },
    };
  }
}

module.exports = { EventStream, toEvent, topicsFor };
