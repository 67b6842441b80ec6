#!/bin/sh
# The JS client's system test: speaker + BIRD from client_py_harness.py, the test in node.
# Exits when node does (it must: the client closes its sockets, and nng_fini runs at exit).
here=$(dirname "$0")
exec /usr/bin/python3 "$here/client_py_harness.py" run node "$here/client_js_bird.js"
