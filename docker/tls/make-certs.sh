#!/bin/sh
# docker/tls/make-certs.sh [DIR]: test certificates for docker/compose.tls.yaml, in DIR (default
# docker/tls/certs): the test CA, the speaker's server.crt (name bgpbus-speaker, IP 10.179.0.10)
# and client.crt for the bridge and bgpbusctl, made by tests/tls/make-certs.sh. Test keys only:
# use your own CA for anything else.
# The containers run as uid 10179 (docker/Dockerfile): the keys are given to it when run as root,
# else made readable to all (mode 0644), since a mounted file keeps its owner.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/certs}
sh "$here/../../tests/tls/make-certs.sh" "$dir" bgpbus-speaker 10.179.0.10
# only what the containers read: the rogue CA and client are for the refusal tests of
# tests/system, and the CA key signs nothing more
rm -f "$dir"/rogue* "$dir"/*.ext "$dir"/*.srl "$dir"/ca.key "$dir"/openssl.log
if [ "$(id -u)" -eq 0 ]; then
    chown 10179:10179 "$dir"/*.key
else
    chmod 0644 "$dir"/*.key
fi
chmod 0755 "$dir"
echo "make-certs.sh: certificates in $dir"
