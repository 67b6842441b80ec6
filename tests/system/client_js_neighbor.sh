#!/bin/sh
# The JS client adds and removes a neighbor for a real BIRD: speaker (no neighbor) + BIRD from
# client_neighbor_harness.py (addresses 127.73.x.y), the test in node.
here=$(dirname "$0")
exec /usr/bin/python3 "$here/client_neighbor_harness.py" run 73 node "$here/client_js_neighbor.js"
