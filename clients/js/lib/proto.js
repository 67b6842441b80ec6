'use strict';
// The bgpbus.v1 types, from the bundle pbjs generates at build time (proto/CMakeLists.txt).
const path = require('path');
const protobuf = require('protobufjs');

const bundle = path.join(__dirname, '..', 'generated', 'bgpbus.json');
let root;
try {
  root = protobuf.Root.fromJSON(require(bundle));
} catch (e) {
  throw new Error(`bgpbus: ${bundle} is missing: build the target bgpbus_proto_js (${e.message})`);
}

const t = (name) => root.lookupType(`bgpbus.v1.${name}`);
const e = (name) => root.lookupEnum(`bgpbus.v1.${name}`);

module.exports = {
  root,
  Request: t('Request'),
  Reply: t('Reply'),
  Event: t('Event'),
  Status: e('Status').values,
  StatusName: Object.fromEntries(Object.entries(e('Status').values).map(([k, v]) => [v, k])),
  FsmStateName: Object.fromEntries(Object.entries(e('FsmState').values).map(([k, v]) => [v, k])),
  Origin: e('Origin').values,
};
