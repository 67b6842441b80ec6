'use strict';
// The JavaScript client against the real speaker and a real BIRD peer (started by
// client_py_harness.py, see client_js_bird.sh): neighbors(), announce with attributes seen by
// BIRD, per-route results, BIRD's routes as update events (async iterator), withdraw, close.
const path = require('path');
const fs = require('fs');
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
const dump = (fam = 'ipv4') => bird('routes', '--family', fam, '--dump').split('\n').filter(Boolean);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitUntil(fn, secs = 20) {
  const end = Date.now() + secs * 1000;
  for (;;) {
    const v = fn();
    if (v || Date.now() > end) return v;
    await sleep(200);
  }
}

async function main() {
  const c = new Client({ command: env.BGPBUS_COMMAND_URL, events: env.BGPBUS_EVENTS_URL, owner: 'jstest' });
  const ns = await c.neighbors();
  check('neighbors() lists BIRD established', ns.length === 1 && ns[0].address === env.PEER_ADDR && ns[0].state === 'established', JSON.stringify(ns.map((n) => [n.address, n.state])));

  const stream = c.events({ types: ['update'], timeout: 30 });
  const got = [];
  const collected = (async () => {
    for await (const ev of stream) {
      got.push(ev);
      if (got.reduce((n, e) => n + e.announced.length, 0) >= 2) break;
    }
  })();

  const res = await c.announce([
    { prefix: '10.81.0.0/24', nextHop: '198.51.100.1', communities: ['65000:2'], localPref: 200, med: 20, asPath: [64513] },
    { prefix: '10.81.1.0/24' }, // IPv4 without a next hop: refused alone
  ]);
  check('announce: one result per route', JSON.stringify(res.map((r) => r.ok)) === '[true,false]', JSON.stringify(res));
  const want = 'ipv4 10.81.0.0/24 nh=198.51.100.1 aspath=64513 origin=igp med=20 comm=65000:2';
  await waitUntil(() => dump().includes(want));
  check('BIRD has the route with its attributes', dump().includes(want), JSON.stringify(dump()));

  const file = path.join(env.BGPBUS_TEST_DIR || '/tmp', `js-bird-${process.pid}.txt`);
  fs.writeFileSync(file, 'ipv4 10.82.0.0/24 comm=65001:8\nipv6 2001:db8:82::/48\n');
  bird('announce', file);
  let timer;
  await Promise.race([collected, new Promise((r) => { timer = setTimeout(r, 30000); })]);
  clearTimeout(timer);
  const ann = got.flatMap((e) => e.announced);
  check('BIRD routes arrive as update events', JSON.stringify(ann.map((r) => r.prefix).sort()) === '["10.82.0.0/24","2001:db8:82::/48"]', JSON.stringify(ann));
  check('events carry type and neighbor', got.length > 0 && got.every((e) => e.type === 'update' && e.neighbor === env.PEER_ADDR));
  const r0 = ann.find((r) => r.prefix === '10.82.0.0/24');
  check('event routes carry attributes', r0 && r0.nextHop === '198.51.100.2' && r0.communities[0] === '65001:8', JSON.stringify(r0));
  check('no gap and no loss', stream.gaps === 0 && stream.lost === 0);

  const wres = await c.withdraw(['10.81.0.0/24']);
  check('withdraw: ok', wres.length === 1 && wres[0].ok, JSON.stringify(wres));
  check('BIRD lost the withdrawn route', await waitUntil(() => !dump().some((l) => l.includes('10.81.'))));
  try {
    await c.announce([{ prefix: '10.83.0.0/24', nextHop: '198.51.100.1' }], { neighbor: '192.0.2.99' });
    check('unknown neighbor rejects with BgpbusError', false);
  } catch (e) {
    check('unknown neighbor rejects with BgpbusError', e instanceof BgpbusError && e.status === 'no_matching_neighbor', String(e));
  }
  try {
    await c.announce([{ prefix: '10.0.0.1/24', nextHop: '1.2.3.4' }]);
    check('host bits are refused before sending', false);
  } catch (e) {
    check('host bits are refused before sending', e instanceof RangeError, String(e));
  }
  c.close();
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((rc) => { process.exitCode = rc; }, (e) => { console.error(e); process.exitCode = 1; });
