#!/bin/sh
# check_mrt.sh MRTDUMP DIR...: runs bgpbus-mrtdump over every file under the DIRs and fails
# unless every record was read (errors 0) and no message would reset a session (resets 0).
# The one file known to hold a malformed UPDATE (an NLRI with a dangling length octet, which
# RFC 7606 5.3 answers with a session reset) must show exactly that one reset.
# Exit 77 (skipped) when no DIR exists.
set -u
dump=$1
shift
files=""
for d in "$@"; do
    [ -d "$d" ] && files="$files $(find "$d" -type f ! -name '*.md' | sort)"
done
if [ -z "$files" ]; then
    echo "SKIP: no MRT data in $*"
    exit 77
fi
status=0
for f in $files; do
    line=$("$dump" "$f" 2>&1 | grep -F "$f: records")
    echo "$line"
    resets=$(echo "$line" | sed -n 's/.* resets \([0-9]*\) .*/\1/p')
    errors=$(echo "$line" | sed -n 's/.* errors \([0-9]*\).*/\1/p')
    want=0
    case "$f" in *nlri-trailing-bits*) want=1 ;; esac
    if [ -z "$line" ] || [ "$errors" != 0 ] || [ "$resets" != "$want" ]; then
        echo "FAIL: $f: errors ${errors:-?} resets ${resets:-?} (expected 0 and $want)"
        "$dump" -v "$f" 2>&1 | head -20
        status=1
    fi
done
exit $status
