'use strict';
// The JavaScript client adds a neighbor at run time for a real BIRD (the speaker starts with
// none; see client_js_neighbor.sh): the session comes up (state event, neighbors(), BIRD), a
// route announced reaches BIRD's table, a duplicate add and bad settings are refused, and
// removeNeighbor() drops the session (BIRD sees it down, the route leaves its table).
const path = require('path');
const { execFileSync } = require('child_process');
const { Client, BgpbusError } = require(path.join(process.env.BGPBUS_SOURCE, 'clients', 'js'));

const env = process.env;
const BIRD = path.join(env.BGPBUS_PEERS, 'bird.sh');
let passed = 0;
let failed = 0;
function check(name, cond, detail = '') {
  if (cond) passed++;
  else failed++;
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${name}${cond ? '' : ` ${detail}`}`);
}
const bird = (...args) => execFileSync(BIRD, [args[0], '--dir', env.BIRD_DIR, ...args.slice(1)], { encoding: 'utf8' });
// BIRD's view of the session: 'Established' or its FSM state (bird.sh exits 1 for the latter).
function birdState() {
  try {
    return bird('state').trim();
  } catch (e) {
    return String(e.stdout || '').trim();
  }
}
const dump = () => bird('routes', '--family', 'ipv4', '--dump').split('\n').filter(Boolean);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitUntil(fn, secs = 20) {
  const end = Date.now() + secs * 1000;
  for (;;) {
    const v = fn();
    if (v || Date.now() > end) return v;
    await sleep(200);
  }
}
async function rejects(fn, test) {
  try {
    await fn();
    return 'resolved';
  } catch (e) {
    return test(e) || String(e);
  }
}

async function main() {
  const c = new Client({ command: env.BGPBUS_COMMAND_URL, events: env.BGPBUS_EVENTS_URL, owner: 'jsneighbor' });
  check('the speaker starts with no neighbor', (await c.neighbors()).length === 0);
  const stream = c.events({ types: ['state'], neighbor: env.PEER_ADDR, timeout: 30 });
  const states = [];
  const up = (async () => {
    for await (const ev of stream) {
      states.push(ev.state);
      if (ev.state === 'established') break;
    }
  })();

  await c.addNeighbor({
    address: env.PEER_ADDR, localAs: 65000, peerAs: 65001, localAddress: env.LOCAL_ADDR,
    connect: Number(env.BIRD_PORT), listen: Number(env.SPEAKER_PORT), holdTime: 30, families: ['ipv4 unicast', 'ipv6'],
  });
  let timer;
  await Promise.race([up, new Promise((r) => { timer = setTimeout(r, 30000); })]);
  clearTimeout(timer);
  check('addNeighbor: a state event says established', states[states.length - 1] === 'established', JSON.stringify(states));
  const ns = await c.neighbors();
  check('neighbors() lists it established', ns.length === 1 && ns[0].address === env.PEER_ADDR && ns[0].state === 'established' && ns[0].peerAs === 65001,
    JSON.stringify(ns.map((n) => [n.address, n.state])));
  check('BIRD sees the session established', await waitUntil(() => birdState() === 'Established'), birdState());

  const dup = await rejects(() => c.addNeighbor({ address: env.PEER_ADDR, localAs: 65000, peerAs: 65001, localAddress: env.LOCAL_ADDR }),
    (e) => e instanceof BgpbusError && e.status === 'invalid_argument');
  check('a duplicate add rejects with BgpbusError', dup === true, dup);
  for (const bad of [{ address: '10.0.0.300', localAs: 1, peerAs: 2 }, { address: '192.0.2.9', localAs: -1, peerAs: 2 },
    { address: '192.0.2.9', localAs: 1, peerAs: 2, families: ['ipv5'] }, { address: '192.0.2.9', localAs: 1, peerAs: 2, routerId: '::1' }]) {
    const r = await rejects(() => c.addNeighbor(bad), (e) => e instanceof TypeError || e instanceof RangeError);
    check(`bad settings are refused before sending: ${JSON.stringify(bad)}`, r === true, r);
  }

  const res = await c.announce([{ prefix: '10.73.0.0/24', nextHop: '198.51.100.1', communities: ['65000:73'] }], { neighbor: env.PEER_ADDR });
  check('announce to the added neighbor', res.length === 1 && res[0].ok, JSON.stringify(res));
  const got = await waitUntil(() => {
    const lines = dump().filter((l) => l.includes('10.73.'));
    return lines.length ? lines : null;
  });
  check('BIRD has the route', got && got.length === 1 && got[0].startsWith('ipv4 10.73.0.0/24 nh=198.51.100.1 ') && got[0].endsWith(' comm=65000:73'), JSON.stringify(got));

  await c.removeNeighbor(env.PEER_ADDR);
  check('removeNeighbor: gone from neighbors()', (await c.neighbors()).length === 0);
  check('removeNeighbor: BIRD sees the session down', await waitUntil(() => birdState() !== 'Established'), birdState());
  check('removeNeighbor: the route left BIRD\'s table', await waitUntil(() => !dump().some((l) => l.includes('10.73.'))));
  const again = await rejects(() => c.removeNeighbor(env.PEER_ADDR), (e) => e instanceof BgpbusError && e.status === 'no_matching_neighbor');
  check('removing an unknown neighbor rejects with BgpbusError', again === true, again);
  c.close();
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((rc) => { process.exitCode = rc; }, (e) => { console.error(e); process.exitCode = 1; });
