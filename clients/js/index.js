'use strict';
// bgpbus: the JavaScript client of the bgpbus speaker (clients/js). Node.js >= 18.
//
//   const { Client } = require('bgpbus');
//   const c = new Client({ command: 'ipc:///run/bgpbus/command.sock', events: 'ipc:///run/bgpbus/events.sock' });
//   await c.announce([{ prefix: '10.0.0.0/24', nextHop: '192.0.2.1', communities: ['65000:1'] }]);
//   for await (const ev of c.events({ types: ['update'] })) console.log(ev.neighbor, ev.announced);
//   c.close();
const { Client, BgpbusError, defaultUrl } = require('./lib/client');
const { NngError } = require('./lib/nng');
const { EventStream } = require('./lib/events');

module.exports = { Client, BgpbusError, NngError, EventStream, defaultUrl };
