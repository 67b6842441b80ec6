#!/bin/sh
# Test certificates for the bus's mutual TLS (tls+tcp://), made fresh by openssl each run:
#   ca.crt/ca.key          the test CA; signs the speaker's and the good client's certificates
#   server.crt/server.key  the speaker's: CN and subjectAltName DNS:$SERVER_NAME, IP:$SERVER_IP
#   client.crt/client.key  a client the speaker accepts (signed by ca)
#   rogue-ca.crt           another CA, and rogue.crt/rogue.key a client certificate it signed:
#                          well formed, but the speaker must refuse it
# Keys are unencrypted RSA 2048 (what nng's mbedTLS engine reads), valid for two days.
#
# Usage: make-certs.sh DIR [SERVER_NAME [SERVER_IP]]   (defaults: bgpbus-speaker, 127.0.0.1)
# Exit 77 when openssl is not installed (callers skip), 1 when a step fails (its log shown).
set -eu

DIR=${1:?usage: make-certs.sh DIR [SERVER_NAME [SERVER_IP]]}
NAME=${2:-bgpbus-speaker}
IP=${3:-127.0.0.1}

if ! command -v openssl >/dev/null 2>&1; then
    echo "make-certs.sh: openssl is not installed (./install.sh deps test)" >&2
    exit 77
fi
mkdir -p "$DIR"
cd "$DIR"
LOG=openssl.log
: >"$LOG"

run() {
    if ! "$@" >>"$LOG" 2>&1; then
        cat "$LOG" >&2
        echo "make-certs.sh: failed: $*" >&2
        exit 1
    fi
}

# ca_make NAME CN: a self-signed CA (basicConstraints CA:TRUE so mbedTLS accepts it as issuer).
ca_make() {
    run openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$1.key" -out "$1.crt"
}

# leaf_make NAME CN CA EXTFILE: a key and a certificate signed by CA.
leaf_make() {
    run openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr"
    run openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -days 2 \
        -extfile "$4" -out "$1.crt"
    rm -f "$1.csr"
}

ca_make ca "bgpbus test CA"
ca_make rogue-ca "bgpbus rogue CA"
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s,IP:%s\n' \
    "$NAME" "$IP" >server.ext
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >client.ext
leaf_make server "$NAME" ca server.ext
leaf_make client "bgpbus test client" ca client.ext
leaf_make rogue "bgpbus test client" rogue-ca client.ext
chmod 600 ./*.key
run openssl verify -CAfile ca.crt server.crt client.crt
if openssl verify -CAfile ca.crt rogue.crt >>"$LOG" 2>&1; then
    echo "make-certs.sh: the rogue certificate verifies against the test CA" >&2
    exit 1
fi
