'use strict';
// Unit tests of the JS client without a speaker: route conversion and the event stream's
// sequencing (gap -> ReadEvents repair, duplicates) against a fake socket and ring.
const assert = require('assert');
const proto = require('../lib/proto');
const routes = require('../lib/routes');
const { EventStream, topicsFor } = require('../lib/events');

function update(seq, tseq) {
  return {
    epoch: 9, seq, typeSeq: tseq, peerSeq: tseq, peer: { address: Buffer.from([192, 0, 2, 2]) },
    update: { attributes: { communities: [65000 * 65536 + tseq] },
      announced: [{ family: { afi: 1, safi: 1 }, nextHop: { address: Buffer.from([192, 0, 2, 1]) },
        nlri: [{ unicast: { address: Buffer.from([10, 0, tseq, 0]), length: 24 } }] }] },
  };
}
const wire = (ev) => Buffer.concat([Buffer.from('ev/update/192.0.2.2/\0'),
  Buffer.from(proto.Event.encode(proto.Event.fromObject(ev)).finish())]);

function stream(published, delivered, oldest = 1) {
  const s = Object.create(EventStream.prototype);
  Object.assign(s, { topics: topicsFor(['update']), neighbor: null, timeout: null, epoch: null,
    last: new Map(), pending: [], gaps: 0, repaired: 0, lost: 0, duplicates: 0, restarts: 0, reads: [] });
  const msgs = delivered.map(wire);
  s.sock = { recv: async () => { if (!msgs.length) throw Object.assign(new Error('closed'), { errno: 7 }); return msgs.shift(); }, close() {} };
  s.readEvents = async (from, prefix) => {
    s.reads.push([from, prefix]);
    const evs = published.filter((e) => e.seq >= Math.max(from, oldest)).slice(0, 2);
    return { epoch: 9, oldestSeq: oldest, newestSeq: published[published.length - 1].seq,
      events: evs.map((e) => proto.Event.toObject(proto.Event.fromObject(e), { longs: Number, bytes: Buffer, oneofs: true })) };
  };
  return s;
}

async function main() {
  const pb = routes.toPb({ prefix: '10.0.0.0/24', nextHop: '192.0.2.1', communities: ['65000:1', 'no-export'], med: 0, asPath: [] });
  assert.deepStrictEqual(pb.attributes.communities, [65000 * 65536 + 1, 0xffffff01]);
  assert.strictEqual(pb.attributes.med, 0);
  assert.deepStrictEqual(pb.attributes.asPath, { segments: [] }); // explicitly empty
  assert.ok(!('attributes' in routes.toPb('10.0.0.0/24', false)));
  for (const bad of [{ prefix: '10.0.0.1/24' }, { prefix: '10.0.0.0/33' }, { prefix: 'x' },
    { prefix: '10.0.0.0/8', communities: ['65536:1'] }, { prefix: '10.0.0.0/8', med: -1 },
    { prefix: '10.0.0.0/8', origin: 'bgp' }, { prefix: '10.0.0.0/8', nextHop: '10.0.0' }])
    assert.throws(() => routes.toPb(bad), undefined, JSON.stringify(bad));
  assert.strictEqual(routes.addressText(routes.addressBytes('2001:db8::1')), '2001:db8::1');

  // type_seq 1..6 at global seqs 2,4,..,12: 2..4 lost, 3 arrives late (a duplicate).
  const pub = [1, 2, 3, 4, 5, 6].map((i) => update(2 * i, i));
  let s = stream(pub, [pub[0], pub[4], pub[2], pub[5]]);
  const got = [];
  for await (const ev of s) got.push(ev);
  assert.deepStrictEqual(got.map((e) => e.typeSeq), [1, 2, 3, 4, 5, 6]);
  assert.strictEqual(got[1].announced[0].prefix, '10.0.2.0/24');
  assert.deepStrictEqual(got[1].announced[0].communities, ['65000:2']);
  assert.deepStrictEqual([s.gaps, s.repaired, s.lost, s.duplicates], [1, 3, 0, 1]);
  assert.deepStrictEqual(s.reads[0], [3, 'ev/update/']);

  const pub2 = [1, 2, 3, 4, 5, 6, 7].map((i) => update(i, i));
  s = stream(pub2, [pub2[0], pub2[6]], 5); // the ring moved on: 2..4 lost for good
  const got2 = [];
  for await (const ev of s) got2.push(ev.typeSeq);
  assert.deepStrictEqual(got2, [1, 5, 6, 7]);
  assert.strictEqual(s.lost, 3);
  console.log('js unit: all passed');
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
