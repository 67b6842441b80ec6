"""Client: commands over the speaker's REQ/REP socket, events from its PUB socket.

    c = bgpbus.Client()                      # default ipc sockets ($BGPBUS_RUNTIME_DIR, ...)
    results = c.announce([bgpbus.Route(prefix="10.0.0.0/24", next_hop="192.0.2.1")])
    for ev in c.events(types=["update"]):
        ...

One request at a time per Client (calls from several threads are serialised); batch routes
in one call: a round trip costs ~200 us, a thousand routes in one Request cost about the same.
"""

import ipaddress
import itertools
import os
import threading

from bgpbus import _nng
from bgpbus.events import EventStream, read_events_request
from bgpbus.routes import _u32, address_text, from_pb, to_pb
from bgpbus.v1 import neighbor_pb2, reply_pb2, request_pb2


def runtime_dir():
    """Where the speaker puts its ipc sockets by default (lib/bus_addr.c)."""
    d = os.environ.get("BGPBUS_RUNTIME_DIR")
    if d:
        return d
    d = os.environ.get("XDG_RUNTIME_DIR")
    if d:
        return os.path.join(d, "bgpbus")
    return "/run/bgpbus" if os.geteuid() == 0 else "/tmp/bgpbus-%d" % os.geteuid()


def default_url(channel):
    return "ipc://%s/%s.sock" % (runtime_dir(), channel)


def status_name(status):
    return reply_pb2.Status.Name(status)[len("STATUS_"):].lower()


class BgpbusError(Exception):
    """A Request the speaker refused as a whole. status: "error", "invalid_argument",
    "no_matching_neighbor", "unsupported"; reply: the bgpbus.v1.Reply."""

    def __init__(self, reply):
        self.status = status_name(reply.status)
        self.reply = reply
        super().__init__("%s: %s" % (self.status, reply.error or "no reason given"))


class Result:
    """The fate of one route of a batch: ok, status ("ok", "error", ...), error (why)."""

    __slots__ = ("ok", "status", "error")

    def __init__(self, item):
        self.status = status_name(item.status)
        self.ok = item.status == reply_pb2.STATUS_OK
        self.error = item.error if item.HasField("error") else None

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return "<Result %s%s>" % (self.status, ": " + self.error if self.error else "")


class Neighbor:
    """A neighbor from ListNeighbors: address, state ("established", ...), peer_as, local_as,
    local_address, routes_advertised, routes_received, pb (the bgpbus.v1.Neighbor)."""

    def __init__(self, pb):
        self.pb = pb
        cfg, st = pb.config, pb.state
        self.address = address_text(cfg.address)
        self.local_address = address_text(st.peer.local_address or cfg.local_address) if (
            st.peer.local_address or cfg.local_address) else None
        self.local_as = cfg.local_as
        self.peer_as = cfg.peer_as
        self.state = neighbor_pb2.FsmState.Name(st.fsm_state)[len("FSM_STATE_"):].lower()
        self.routes_advertised = st.routes_advertised
        self.routes_received = st.routes_received

    def __repr__(self):
        return "<Neighbor %s %s>" % (self.address, self.state)


# (AFI, SAFI) of the families add_neighbor() takes (RFC 4760; IANA registries).
_FAMILIES = {"ipv4 unicast": (1, 1), "ipv6 unicast": (2, 1), "ipv4 multicast": (1, 2),
             "ipv6 multicast": (2, 2)}


def family_code(name):
    """ "ipv4 unicast" (or "ipv4") -> (1, 1)."""
    key = name.strip().lower()
    key = key if " " in key else key + " unicast"
    if key not in _FAMILIES:
        raise ValueError("unknown family %r (want one of %s)" % (name, ", ".join(_FAMILIES)))
    return _FAMILIES[key]


def _selector(req, neighbor):
    """neighbor: an address (text) or a list of them -> Request.neighbors."""
    if neighbor is None:
        return
    for addr in [neighbor] if isinstance(neighbor, str) else neighbor:
        req.neighbors.matches.add().address = ipaddress.ip_address(addr).packed


class Client:
    """A connection to one speaker. command/events: nng URLs (ipc://, tcp://); absent = the
    speaker's defaults. owner: tags the routes this client announces (Request.owner).
    timeout: seconds to wait for a reply. wait=False: do not fail when the speaker is not
    there yet (nng keeps dialling). tls: a bgpbus.TLS, for tls+tcp:// URLs (mutual TLS)."""

    def __init__(self, command=None, events=None, owner=None, timeout=30.0, wait=True, tls=None):
        self.command_url = command or default_url("command")
        self.events_url = events or default_url("events")
        self.owner = owner
        self.wait = wait
        self.tls = tls
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._req = _nng.Socket("req", self.command_url, recv_timeout_ms=timeout * 1000,
                                wait=wait, tls=tls)
        self._streams = []

    def close(self):
        for s in self._streams:
            s.close()
        self._streams = []
        self._req.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- the wire --------------------------------------------------------------------

    def call(self, req):
        """Sends one bgpbus.v1.Request, returns its bgpbus.v1.Reply (any status)."""
        if not req.HasField("id"):
            req.id = next(self._ids)
        if self.owner is not None and not req.HasField("owner"):
            req.owner = self.owner
        data = req.SerializeToString()
        with self._lock:
            self._req.send(data)
            raw = self._req.recv()
        rep = reply_pb2.Reply()
        rep.ParseFromString(raw)
        if rep.HasField("id") and rep.id != req.id:
            raise RuntimeError("reply %d to request %d" % (rep.id, req.id))
        return rep

    def _checked(self, req):
        rep = self.call(req)
        if rep.status not in (reply_pb2.STATUS_OK, reply_pb2.STATUS_PARTIAL) and not rep.items:
            raise BgpbusError(rep)
        return rep

    def _read_events(self, from_seq, topic_prefix):
        return self._checked(read_events_request(from_seq, topic_prefix)).events

    # ---- commands --------------------------------------------------------------------

    def announce(self, routes, neighbor=None, sync=False):
        """Puts routes (Route, one Result each, same order) in the Adj-RIB-Out of the selected
        neighbors (all by default). A malformed route raises ValueError before anything is
        sent; one the speaker refuses gets a failed Result."""
        req = request_pb2.Request()
        req.announce.routes.extend(to_pb(r) for r in routes)
        _selector(req, neighbor)
        if sync:
            req.sync = True
        return [Result(i) for i in self._checked(req).items]

    def withdraw(self, routes, neighbor=None, sync=False):
        """Withdraws routes (Route or prefix text); only the identity counts."""
        req = request_pb2.Request()
        req.withdraw.routes.extend(to_pb(r, with_attributes=False) for r in routes)
        req.withdraw.SetInParent()
        _selector(req, neighbor)
        if sync:
            req.sync = True
        return [Result(i) for i in self._checked(req).items]

    def withdraw_owner(self, owner=None):
        """Withdraws every route of owner (default: this client's); returns how many."""
        req = request_pb2.Request()
        req.withdraw_owner.SetInParent()
        if owner is not None:
            req.withdraw_owner.owner = owner
        return self._checked(req).owner_withdrawn.routes

    def neighbors(self, neighbor=None):
        req = request_pb2.Request()
        req.list_neighbors.SetInParent()
        _selector(req, neighbor)
        return [Neighbor(n) for n in self._checked(req).neighbors.neighbors]

    def add_neighbor(self, address, local_as, peer_as, local_address=None, router_id=None,
                     hold_time=None, passive=False, connect=None, listen=None, families=None):
        """Adds a neighbor at run time (AddNeighbor; absent settings take the configuration
        grammar's defaults). connect: the peer's TCP port; listen: the local port to accept
        on; families: ["ipv4 unicast", "ipv6 unicast", ...] (None: the speaker's default).
        Refused (e.g. the neighbor exists, a bad setting): BgpbusError."""
        req = request_pb2.Request()
        nc = req.add_neighbor.config
        nc.address = ipaddress.ip_address(address).packed
        nc.local_as = _u32("local_as", local_as)
        nc.peer_as = _u32("peer_as", peer_as)
        if local_address is not None:
            nc.local_address = ipaddress.ip_address(local_address).packed
        if router_id is not None:
            nc.router_id = ipaddress.IPv4Address(router_id).packed
        if hold_time is not None:
            nc.hold_time = _u32("hold_time", hold_time)
        if passive:
            nc.passive = True
        if connect is not None:
            nc.peer_port = _u32("connect", connect)
        if listen is not None:
            nc.listen_port = _u32("listen", listen)
        for name in families or ():
            afi, safi = family_code(name)
            f = nc.families.add()
            f.afi, f.safi = afi, safi
        self._checked(req)

    def remove_neighbor(self, address):
        """Removes the neighbor with this address (its session is closed with a Cease).
        Unknown address: BgpbusError with status "no_matching_neighbor"."""
        req = request_pb2.Request()
        req.remove_neighbor.SetInParent()
        _selector(req, address)
        self._checked(req)

    def routes(self, owner="", neighbor=None):
        """Adj-RIB-Out routes of owner ("" = every owner), every page: [(neighbor, Route)]."""
        out, token = [], None
        while True:
            req = request_pb2.Request()
            req.list_routes.owner = owner
            if token:
                req.list_routes.page_token = token
            _selector(req, neighbor)
            table = self._checked(req).routes
            for peer in table.peers:
                out.extend((address_text(peer.peer.address), from_pb(r)) for r in peer.routes)
            if not table.HasField("next_page_token"):
                return out
            token = table.next_page_token

    def owner_session(self, heartbeat, withdraw=True, end=False):
        """Ties this client's owner's routes to its life: with withdraw, the speaker withdraws
        them all when no Request of the owner came for heartbeat seconds (0: no heartbeat) or
        when end=True ends the session. Beat with ping() more often than heartbeat."""
        if not self.owner:
            raise ValueError("an owner session needs Client(owner=...)")
        req = request_pb2.Request()
        req.owner_session.withdraw_on_disconnect = withdraw
        req.owner_session.heartbeat = heartbeat
        if end:
            req.owner_session.end = True
        self._checked(req)

    def ping(self):
        req = request_pb2.Request()
        req.ping.SetInParent()
        return self._checked(req).pong

    def version(self):
        req = request_pb2.Request()
        req.version.SetInParent()
        return self._checked(req).version.version

    def events(self, types=None, neighbor=None, timeout=None):
        """An iterator of Event, in order, gaps repaired from the replay ring. types: topic
        types ("update", "state", "eor", ...; None = all); neighbor: one peer address.
        timeout: seconds without an event before TimeoutError (None = wait forever).
        Subscribed when this returns: events published after it are all seen."""
        s = EventStream(self, self.events_url, types, neighbor, timeout, self.wait, self.tls)
        self._streams.append(s)
        return s
