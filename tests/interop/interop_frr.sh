#!/usr/bin/env bash
# tests/interop/interop_frr.sh -- bgpbus-speaker against FRR 8.4 bgpd on loopback: eBGP with
# IPv4, IPv6 and IPv4 multicast in both directions, route refresh both ways, peer restart,
# hold timer expiry.
source "$(dirname "$0")/lib.sh"
it_init interop_frr 3
IMPL=frr PEER_AS=65003 FAMS=ipv4,ipv6,mcast4 ORIG=ipv4,ipv6,mcast4 HOLD=6
# FRR 8.4 answers a ROUTE-REFRESH from a peer with Enhanced Route Refresh (RFC 7313) only after
# it has sent that peer an End-of-RIB, and it sends End-of-RIB only when graceful restart was
# negotiated (bgp_route_refresh_receive: "Can't send BoRR now, postpone after EoR", forever
# otherwise).  The speaker advertises graceful restart to FRR, as an ExaBGP user would.
IT_CAPS="graceful-restart 120;"

frr_caps() { # FRR's view of the capabilities the speaker sent and it received
  vtysh --vty_socket "$W/frr" -d bgpd -c "show bgp neighbors $ADDR_S json" | $PY -c '
import json, sys
n = json.load(sys.stdin).get(sys.argv[1], {})
c = n.get("neighborCapabilities", {})
bad = []
if c.get("4byteAs") != "advertisedAndReceived":
    bad.append("4byteAs")
if not str(c.get("routeRefresh", "")).startswith("advertisedAndReceived"):
    bad.append("routeRefresh")
if c.get("enhancedRouteRefresh") != "advertisedAndReceived":
    bad.append("enhancedRouteRefresh")
if "advertisedAndReceived" not in str(c.get("gracefulRestart", c.get("gracefulRestartCapability", ""))):
    bad.append("gracefulRestart")
mp = c.get("multiprotocolExtensions", {})
for f in ("ipv4Unicast", "ipv6Unicast", "ipv4Multicast"):
    if not mp.get(f, {}).get("advertisedAndReceived"):
        bad.append(f)
if bad:
    print("not negotiated:", " ".join(bad))
    print(json.dumps(c, indent=1))
    sys.exit(1)' "$ADDR_S"
}

it_scn_start 3
it_scn_established frr_caps
it_scn_out
it_scn_in
it_scn_refresh_by_peer
it_scn_refresh_by_speaker
it_scn_restart
it_scn_hold
it_scn_withdraw
it_finish
