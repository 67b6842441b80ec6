# shellcheck shell=bash
# tests/interop/flowvpn_lib.sh -- the part interop_flow.sh and interop_vpn.sh share (sourced
# after lib.sh): one speaker with one neighbor per real peer, all peers on one /24.
#
#   fv_setup FAMS PEER...      speaker config and start, then every peer started in parallel
#                              with FAMS (FAMS_<impl> when set) and the routes of
#                              $W/in-<impl>.routes when that file is not empty
#   fv_send LINE...            `bbclient send` each line; fails unless every answer is `done`
#   fv_events PEER FAM         the speaker's view of PEER's routes in FAM, from the events:
#                              FAM NLRI [rd= label=] [nh= aspath= origin= med= comm=] [rt=]
#                              [action=] (rt sorted); flow routes: FAM NLRI [rd=] [nh=] action=;
#                              routes with the speaker's AS 65000 in the path are left out
#   fv_wait_events PEER FAM FILE [TIMEOUT]   waits until fv_events equals FILE (sorted)
set -u
NET=${ADDR_S%.1}

fv_addr() { # IMPL -> its address on the /24
  case $1 in bird) echo "$NET.2" ;; gobgp) echo "$NET.3" ;; exabgp) echo "$NET.4" ;;
    frr) echo "$NET.5" ;; openbgpd) echo "$NET.6" ;; esac
}
fv_as() { # IMPL -> its AS
  case $1 in bird) echo 65001 ;; gobgp) echo 65002 ;; frr) echo 65003 ;; openbgpd) echo 65004 ;;
    exabgp) echo 65005 ;; esac
}

declare -A FV_FAMS
fv_setup() { # FAMS PEER...
  local fams=$1 p f pids=() rc=0 ann
  shift
  FV_PEERS="$*"
  : > "$W/speaker.conf"
  for p in $FV_PEERS; do
    f=FAMS_$p
    FV_FAMS[$p]=${!f:-$fams}
    # FRR 8.4 answers a ROUTE-REFRESH only after its End-of-RIB, which it sends only with
    # graceful restart (interop_frr.sh)
    IT_CAPS=$([ "$p" != frr ] || echo "graceful-restart 120;") \
      it_neighbor "$(fv_addr "$p")" "$(fv_as "$p")" "$PORT_P" 9 "${FV_FAMS[$p]}" >> "$W/speaker.conf"
  done
  it_speaker_start "$W/speaker.conf"
  it_watch_start
  for p in $FV_PEERS; do
    ann=()
    [ -z "$(fv_in "$p")" ] || ann=(--announce "$(fv_in "$p")")
    it_peer "$p" start --local-addr "$(fv_addr "$p")" --local-as "$(fv_as "$p")" \
      --peer-addr "$ADDR_S" --peer-as 65000 --listen-port "$PORT_P" --peer-port "$PORT_S" \
      --families "${FV_FAMS[$p]}" --next-hop "$NH_P" "${ann[@]}" > "$W/start-$p.out" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}
# the route file IMPL originates ($W/in-IMPL.routes), or nothing
fv_in() { [ -s "$W/in-$1.routes" ] && echo "$W/in-$1.routes"; }

fv_established() { # IMPL
  local a
  a=$(fv_addr "$1")
  it_wait 30 it_speaker_established "$a" || {
    echo "the speaker reports: $(bb neighbors)"
    return 1
  }
  it_peer "$1" wait --timeout 10
}

fv_send() {
  local l out
  for l in "$@"; do
    out=$("$BB_BIN" --timeout 10000 send "$l" 2>> "$W/bbclient.err")
    [ "$out" = "done" ] || {
      echo "'$l' answered: $out"
      return 1
    }
  done
}

fv_events() { # PEER FAM
  awk -v peer="$1" -v fam="$2" '
    $1 == "state" && $2 == peer && $3 == "down" { split("", rib) }
    $1 == "update" && $2 == peer && $4 == fam {
      key = $5
      for (i = 6; i <= NF && $i ~ /^rd=/; i++) key = key " " $i
      if ($3 == "withdraw") { delete rib[key]; next }
      line = $4
      for (i = 5; i <= NF; i++) line = line " " $i
      rib[key] = line
    }
    END { for (k in rib) print rib[k] }' "$W/watch.log" | $PY -c '
import sys
for ln in sys.stdin:
    t = ln.split()
    # FRR sends a route back to the eBGP peer it came from: the speaker`s own (AS 65000 in the
    # path, RFC 4271 9.1.2 loop) are not the peer`s routes
    if any(w.startswith("aspath=") and "65000" in w[7:].split(",") for w in t):
        continue
    if t[0].startswith("flow"):  # a rule: its match and action (and a redirect next hop)
        t = t[:2] + [w for w in t[2:] if w.startswith(("rd=", "action=", "nh="))]
    t = [("rt=" + ",".join(sorted(w[3:].split(","))) if w.startswith("rt=") else w) for w in t]
    t = [("comm=" + ",".join(sorted(w[5:].split(","))) if w.startswith("comm=") else w) for w in t]
    print(" ".join(t))' | LC_ALL=C sort
}
fv_events_are() { fv_events "$1" "$2" | cmp -s - <(LC_ALL=C sort "$3"); }
fv_wait_events() { # PEER FAM FILE [TIMEOUT]
  it_wait "${4:-20}" fv_events_are "$1" "$2" "$3" || {
    echo "the speaker's events for $1 $2 do not match (< expected, > events):"
    diff <(LC_ALL=C sort "$3") <(fv_events "$1" "$2")
    return 1
  }
}

# the peer's table for FAM is FILE
fv_dump_is() { # IMPL FAM FILE [TIMEOUT]
  it_peer "$1" wait-dump --family "$2" --expect "$3" --timeout "${4:-20}"
}
