'use strict';
// The JS side of client_py_cross.py.
//   node client_js_cross.js watch COMMAND_URL EVENTS_URL N   prints "ready", then one line
//       "update <neighbor> announce <prefix> comm=<c,...>" per announced route, until N
//   node client_js_cross.js announce COMMAND_URL PREFIX NEXTHOP COMMUNITY
const path = require('path');
const { Client } = require(path.join(process.env.BGPBUS_SOURCE, 'clients', 'js'));

async function main() {
  const [mode, command, a, b, cArg] = process.argv.slice(2);
  if (mode === 'watch') {
    const c = new Client({ command, events: a });
    let left = Number(b);
    const stream = c.events({ types: ['update'], timeout: 60 });
    console.log('ready');
    for await (const ev of stream) {
      for (const r of ev.announced) console.log(`update ${ev.neighbor} announce ${r.prefix} comm=${r.communities.join(',')}`);
      left -= ev.announced.length;
      if (left <= 0) break;
    }
    c.close();
    return 0;
  }
  const c = new Client({ command, owner: 'js' });
  const res = await c.announce([{ prefix: a, nextHop: b, communities: [cArg] }]);
  console.log(res.map((r) => (r.ok ? 'done' : `error: ${r.error}`)).join('\n'));
  c.close();
  return res.every((r) => r.ok) ? 0 : 1;
}

main().then((rc) => { process.exitCode = rc; }, (e) => { console.error(e); process.exitCode = 1; });
