#!/bin/bash
# The image's /usr/local/bin/bgpbus-speaker, bgpbus-apibridge and bgpbusctl are links to this
# script: it runs the binary of that name (in /usr/local/libexec/bgpbus) with the bus addresses
# and TLS files of the environment, so that a container's daemon, `docker exec CONTAINER
# bgpbusctl ...` and the HEALTHCHECK (`bgpbusctl ping`) all use the same bus:
#   BGPBUS_COMMAND, BGPBUS_EVENTS  bus URLs (tcp://, tls+tcp://); unset: the ipc:// sockets in
#                                  $BGPBUS_RUNTIME_DIR
#   BGPBUS_TLS_DIR                 for tls+tcp://: ca.crt, and server.crt/server.key (used by the
#                                  speaker) or client.crt/client.key (the bridge and bgpbusctl)
#   BGPBUS_TLS_SERVER_NAME         the name in the speaker's certificate (default bgpbus-speaker)
# Options given on the command line come after these, so they win.
set -euo pipefail
prog=${0##*/}
case $prog in
  bgpbus-speaker | bgpbus-apibridge | bgpbusctl) ;;
  *) echo "bus-env.sh: run me as bgpbus-speaker, bgpbus-apibridge or bgpbusctl" >&2; exit 2 ;;
esac

opts=()
[ -z "${BGPBUS_COMMAND:-}" ] || opts+=(--command "$BGPBUS_COMMAND")
[ -z "${BGPBUS_EVENTS:-}" ] || opts+=(--events "$BGPBUS_EVENTS")
if [ -n "${BGPBUS_TLS_DIR:-}" ]; then
  if [ "$prog" = bgpbus-speaker ]; then
    who=server
  else
    who=client
  fi
  opts+=(--tls-cert "$BGPBUS_TLS_DIR/$who.crt" --tls-key "$BGPBUS_TLS_DIR/$who.key"
    --tls-ca "$BGPBUS_TLS_DIR/ca.crt")
  [ "$prog" = bgpbus-speaker ] ||
    opts+=(--tls-server-name "${BGPBUS_TLS_SERVER_NAME:-bgpbus-speaker}")
fi
exec "/usr/local/libexec/bgpbus/$prog" "${opts[@]}" "$@"
