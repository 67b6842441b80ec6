#!/bin/sh
# check_codegen.sh: the bgpbus.v1 contract generates cleanly for C, Python and JS, follows
# the design rules of proto/README.md, and data crosses languages (Python encodes, JS
# decodes, and back).
#
# Env: BGPBUS_SOURCE (source tree), BGPBUS_TEST_DIR (scratch dir), PYTHON (default
# /usr/bin/python3). Exit 0 on success; the JS part prints SKIP when node is absent.
set -eu

src=${BGPBUS_SOURCE:?BGPBUS_SOURCE not set}
work=${BGPBUS_TEST_DIR:?BGPBUS_TEST_DIR not set}/codegen
python=${PYTHON:-/usr/bin/python3}
proto_dir=$src/proto

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

rm -rf "$work"
mkdir -p "$work/c" "$work/py/bgpbus/v1" "$work/js"

protos=$(cd "$proto_dir" && ls bgpbus/v1/*.proto)
[ -n "$protos" ] || fail "no .proto file under $proto_dir/bgpbus/v1"

# Run a generator; any output at all (warning or error) fails the test.
run_quiet() {
    what=$1
    shift
    if ! "$@" >"$work/$what.log" 2>&1; then
        cat "$work/$what.log" >&2
        fail "$what exited with an error"
    fi
    if [ -s "$work/$what.log" ]; then
        cat "$work/$what.log" >&2
        fail "$what printed warnings"
    fi
    echo "ok: $what"
}

cd "$proto_dir"
# shellcheck disable=SC2086 # $protos is a list of plain relative paths
run_quiet protoc-c protoc-c -I. --c_out="$work/c" $protos
# shellcheck disable=SC2086
run_quiet protoc-python protoc -I. --python_out="$work/py" $protos
touch "$work/py/bgpbus/__init__.py" "$work/py/bgpbus/v1/__init__.py"

# Python: import every module (warnings are errors), lint the contract, encode a Request
# for the JS side.
PYTHONPATH="$work/py" "$python" -W error - "$work" $protos <<'EOF' || fail "python checks"
import importlib
import keyword
import re
import sys

from google.protobuf import descriptor_pb2

work, files = sys.argv[1], sys.argv[2:]
errors = []

# Names that cannot be struct members in protobuf-c output (`base` is its own member,
# C keywords, macros predefined by gcc in GNU mode) or attributes in Python.
C_RESERVED = set("""auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed sizeof static struct
switch typedef union unsigned void volatile while _Bool base unix linux i386""".split())
FORBIDDEN = C_RESERVED | set(keyword.kwlist) | {"self"}

def upper_snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()

def check_enum(where, enum):
    prefix = upper_snake(enum.name) + "_"
    if not enum.value or enum.value[0].number != 0 or \
            enum.value[0].name != prefix + "UNSPECIFIED":
        errors.append(f"{where}{enum.name}: first value must be {prefix}UNSPECIFIED = 0")
    for v in enum.value:
        if not v.name.startswith(prefix):
            errors.append(f"{where}{enum.name}.{v.name}: not prefixed with {prefix}")

SCALAR_PACKABLE = {t for n, t in descriptor_pb2.FieldDescriptorProto.Type.items()
                   if n not in ("TYPE_STRING", "TYPE_BYTES", "TYPE_MESSAGE", "TYPE_GROUP")}

def check_message(where, msg):
    for f in msg.field:
        name = f"{where}{msg.name}.{f.name}"
        if f.label == f.LABEL_REQUIRED:
            errors.append(f"{name}: `required` is not allowed")
        if f.label == f.LABEL_REPEATED and f.type in SCALAR_PACKABLE and not f.options.packed:
            errors.append(f"{name}: repeated scalar must be [packed = true]")
        if f.name in FORBIDDEN:
            errors.append(f"{name}: field name is reserved in C or Python")
    for e in msg.enum_type:
        check_enum(f"{where}{msg.name}.", e)
    for n in msg.nested_type:
        check_message(f"{where}{msg.name}.", n)

modules = []
for path in files:
    module_name = "bgpbus.v1." + path.rsplit("/", 1)[1][:-len(".proto")] + "_pb2"
    module = importlib.import_module(module_name)
    modules.append(module)
    fdp = descriptor_pb2.FileDescriptorProto()
    module.DESCRIPTOR.CopyToProto(fdp)
    if fdp.syntax not in ("", "proto2"):
        errors.append(f"{path}: syntax must be proto2")
    if fdp.package != "bgpbus.v1":
        errors.append(f"{path}: package must be bgpbus.v1")
    for e in fdp.enum_type:
        check_enum(f"{path}: ", e)
    for m in fdp.message_type:
        check_message(f"{path}: ", m)

if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
print(f"ok: imported and linted {len(modules)} Python modules")

from bgpbus.v1 import request_pb2
req = request_pb2.Request(id=2**40 + 7, owner="check_codegen")
req.neighbors.matches.add(address=bytes([192, 0, 2, 1]), peer_as=65001)
route = req.announce.routes.add()
route.nlri.unicast.address = bytes([198, 51, 100, 0])
route.nlri.unicast.length = 24
route.attributes.med = 0
route.attributes.communities.extend([65000 << 16 | 1, 0xFFFFFF01])
route.attributes.next_hop.use_local_address = True
flow = req.announce.routes.add().nlri.flowspec
flow.afi = 1
port = flow.components.add().destination_port.terms.add(op=1, value=80)
with open(f"{work}/request.bin", "wb") as out:
    out.write(req.SerializeToString())
EOF

# JavaScript (protobufjs).
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: node not found, the JS part of the contract is not checked"
    exit 0
fi
pbjs=$src/clients/js/node_modules/.bin/pbjs
[ -x "$pbjs" ] || fail "$pbjs missing: build the bgpbus_proto_js target (npm install in clients/js)"
abs_protos=""
for p in $protos; do abs_protos="$abs_protos $proto_dir/$p"; done
# shellcheck disable=SC2086
run_quiet pbjs "$pbjs" -t json -p "$proto_dir" -o "$work/js/bgpbus.json" $abs_protos

node - "$src/clients/js/node_modules/protobufjs" "$work" <<'EOF' || fail "node checks"
"use strict";
const [protobuf, work] = process.argv.slice(2);
const pb = require(protobuf);
const fs = require("fs");
const assert = require("assert");

const root = pb.Root.fromJSON(JSON.parse(fs.readFileSync(`${work}/js/bgpbus.json`)));
const Request = root.lookupType("bgpbus.v1.Request");
const Reply = root.lookupType("bgpbus.v1.Reply");

const req = Request.toObject(Request.decode(fs.readFileSync(`${work}/request.bin`)),
                             { longs: String, bytes: Array });
assert.strictEqual(req.id, String(2 ** 40 + 7));
assert.strictEqual(req.owner, "check_codegen");
assert.deepStrictEqual(req.neighbors.matches[0].address, [192, 0, 2, 1]);
const route = req.announce.routes[0];
assert.deepStrictEqual(route.nlri.unicast.address, [198, 51, 100, 0]);
assert.strictEqual(route.attributes.med, 0); // present although zero
assert.ok(!("localPref" in route.attributes));
assert.deepStrictEqual(route.attributes.communities, [65000 * 65536 + 1, 0xFFFFFF01]);
assert.strictEqual(route.attributes.nextHop.useLocalAddress, true);
const term = req.announce.routes[1].nlri.flowspec.components[0].destinationPort.terms[0];
assert.strictEqual(Number(term.value), 80);
assert.strictEqual(term.op, 1);

const reply = Reply.create({ id: 7, status: 3, items: [{ status: 1 }, { status: 4, error: "bad" }] });
fs.writeFileSync(`${work}/reply.bin`, Reply.encode(reply).finish());
console.log("ok: JS bundle loads, decodes Python's Request, encodes a Reply");
EOF

PYTHONPATH="$work/py" "$python" -W error - "$work" <<'EOF' || fail "python decode of JS output"
import sys
from bgpbus.v1 import reply_pb2
with open(f"{sys.argv[1]}/reply.bin", "rb") as f:
    reply = reply_pb2.Reply.FromString(f.read())
assert reply.id == 7 and reply.status == reply_pb2.STATUS_PARTIAL, reply
assert [i.status for i in reply.items] == [reply_pb2.STATUS_OK, reply_pb2.STATUS_INVALID_ARGUMENT]
assert reply.items[1].error == "bad" and not reply.items[0].HasField("error")
print("ok: Python decodes the JS Reply")
EOF
echo "PASS"
