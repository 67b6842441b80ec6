"""Events from the speaker's PUB socket, in order and without holes.

PUB/SUB drops silently (event.proto). Every Event carries three counters; the stream tracks
the one matching each subscription's depth ("ev/" -> seq, "ev/<type>/" -> type_seq,
"ev/<type>/<peer>/" -> peer_seq). A jump is a gap: the missing events are read back from the
speaker's replay ring (ReadEvents) and delivered before the event that revealed the gap.
Events already delivered (a repair overtakes the PUB queue) are dropped as duplicates. A new
epoch means the speaker restarted: counters start again (counted in `restarts`).
"""

import collections

from bgpbus import _nng
from bgpbus.routes import address_text, from_pb_attributes, from_pb_nlri
from bgpbus.v1 import event_pb2, neighbor_pb2, request_pb2

# Event.body member -> topic type (event.proto).
TOPIC_TYPES = {"state": "state", "open": "open", "negotiated": "negotiated", "update": "update",
               "notification": "notification", "keepalive": "keepalive",
               "route_refresh": "refresh", "eor": "eor", "operational": "operational",
               "speaker": "speaker"}


class Event:
    """One speaker event. type: the topic type ("update", "state", ...); neighbor: the peer
    address as text (None for speaker events); pb: the whole bgpbus.v1.Event.
    Updates: announced / withdrawn (lists of Route). State changes: state (the FSM state
    reached, e.g. "established"), previous_state, change ("up", "down", "connected" or None),
    reason."""

    def __init__(self, pb):
        self.pb = pb
        body = pb.WhichOneof("body")
        self.type = TOPIC_TYPES.get(body, body or "unknown")
        self.neighbor = address_text(pb.peer.address) if pb.HasField("peer") else None
        self.epoch, self.seq = pb.epoch, pb.seq
        self.type_seq, self.peer_seq = pb.type_seq, pb.peer_seq
        self.time = pb.time
        self.direction = {1: "received", 2: "sent"}.get(pb.direction) if pb.HasField(
            "direction") else None
        self.announced, self.withdrawn = [], []
        if body == "update":
            u = pb.update
            for group in u.announced:
                nh = group.next_hop if group.HasField("next_hop") else None
                for n in group.nlri:
                    self.announced.append(from_pb_attributes(from_pb_nlri(n, group.family),
                                                             u.attributes, nh))
            for group in u.withdrawn:
                self.withdrawn.extend(from_pb_nlri(n, group.family) for n in group.nlri)
        elif body == "state":
            s = pb.state
            name = neighbor_pb2.FsmState.Name
            self.state = name(s.current)[len("FSM_STATE_"):].lower()
            self.previous_state = name(s.previous)[len("FSM_STATE_"):].lower()
            self.change = {1: "connected", 2: "up", 3: "down"}.get(s.change)
            self.reason = s.reason if s.HasField("reason") else None

    def __repr__(self):
        extra = ""
        if self.type == "update":
            extra = " announced=[%s] withdrawn=[%s]" % (
                ", ".join(str(r) for r in self.announced),
                ", ".join(r.prefix for r in self.withdrawn))
        elif self.type == "state":
            extra = " %s->%s" % (self.previous_state, self.state)
        return "<Event %s %s seq=%d%s>" % (self.type, self.neighbor or "-", self.seq, extra)


def topics_for(types, neighbor):
    """The subscriptions and the depth tracked by each: 0 seq, 1 type_seq, 2 peer_seq."""
    if not types:
        return [("ev/", 0)]  # a neighbor alone is filtered here, on the global seq
    if neighbor:
        return [("ev/%s/%s/" % (t, neighbor), 2) for t in types]
    return [("ev/%s/" % t, 1) for t in types]


class EventStream:
    """Iterator of Event (Client.events). Counters: gaps, repaired, lost, duplicates,
    restarts. close() ends the iteration (from any thread)."""

    def __init__(self, client, url, types=None, neighbor=None, timeout=None, wait=True,
                 tls=None):
        for t in types or ():
            if t not in TOPIC_TYPES.values():
                raise ValueError("unknown event type %r (one of %s)" % (
                    t, ", ".join(sorted(TOPIC_TYPES.values()))))
        self._client = client
        self._neighbor = neighbor
        self._topics = topics_for(types, neighbor)
        self._timeout = timeout
        self._epoch = None
        self._last = {}        # topic -> (tracked counter, global seq) of the last delivered
        self._pending = collections.deque()  # repaired events waiting to be yielded, oldest first
        self.gaps = self.repaired = self.lost = self.duplicates = self.restarts = 0
        self._sock = _nng.Socket("sub", url, recv_timeout_ms=timeout * 1000 if timeout else None,
                                 wait=wait, tls=tls)
        for topic, _ in self._topics:
            self._sock.subscribe(topic)

    def __iter__(self):
        return self

    def close(self):
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _match(self, topic_bytes):
        """The subscription (prefix, depth) a topic falls under (the longest prefix)."""
        best = None
        for prefix, depth in self._topics:
            if topic_bytes.startswith(prefix.encode()) and (best is None or
                                                            len(prefix) > len(best[0])):
                best = (prefix, depth)
        return best

    @staticmethod
    def _counter(ev, depth):
        return (ev.seq, ev.type_seq, ev.peer_seq)[depth]

    def _accept(self, prefix, depth, ev):
        """What to do with ev under its subscription: 'ok', 'dup' or 'gap'."""
        if self._epoch != ev.epoch:
            if self._epoch is not None:
                self.restarts += 1
                self._last.clear()
            self._epoch = ev.epoch
        c = self._counter(ev, depth)
        last = self._last.get(prefix)
        if last is not None and c <= last[0]:
            return "dup"
        gap = last is not None and c != last[0] + 1
        self._last[prefix] = (c, ev.seq)
        return "gap" if gap else "ok"

    def _repair(self, prefix, depth, last_counter, last_global, upto):
        """Reads events last_global+1 .. upto.seq-1 of prefix from the replay ring."""
        want = self._counter(upto, depth) - last_counter - 1
        got = []
        frm = last_global + 1
        while frm < upto.seq:
            page = self._client._read_events(frm, prefix)
            if page.epoch != upto.epoch:
                break
            if page.oldest_seq > frm:
                frm = page.oldest_seq
            used = 0
            for ev in page.events:
                if ev.seq >= upto.seq:
                    frm = upto.seq
                    break
                frm = ev.seq + 1
                c = self._counter(ev, depth)
                if last_counter < c < self._counter(upto, depth):
                    got.append(ev)
                used += 1
            if used == 0:
                break
        self.repaired += len(got)
        self.lost += max(0, want - len(got))
        return got

    def _wanted(self, ev):
        return self._neighbor is None or (ev.HasField("peer") and
                                          address_text(ev.peer.address) == self._neighbor)

    def __next__(self):
        while True:
            if self._pending:
                return Event(self._pending.popleft())
            try:
                msg = self._sock.recv()
            except _nng.NngError as e:
                if e.errno == _nng.NNG_ETIMEDOUT:
                    raise TimeoutError("no event within %s s" % self._timeout) from None
                if e.errno == _nng.NNG_ECLOSED:
                    raise StopIteration from None
                raise
            topic, sep, body = msg.partition(b"\0")
            sub = self._match(topic) if sep else None
            if sub is None:
                continue
            ev = event_pb2.Event()
            try:
                ev.ParseFromString(body)
            except Exception:
                continue  # not an Event: nothing to deliver, nothing to track
            prefix, depth = sub
            before = self._last.get(prefix)
            verdict = self._accept(prefix, depth, ev)
            if verdict == "dup":
                self.duplicates += 1
                continue
            if verdict == "gap":
                self.gaps += 1
                self._pending.extend(e for e in self._repair(prefix, depth, before[0], before[1],
                                                             ev) if self._wanted(e))
            if self._wanted(ev):
                self._pending.append(ev)


def read_events_request(from_seq, topic_prefix):
    req = request_pb2.Request()
    req.read_events.from_seq = from_seq
    req.read_events.topic_prefix = topic_prefix
    return req
