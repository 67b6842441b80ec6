"""Routes as plain Python objects, and their bgpbus.v1 protobuf form (route.proto,
attributes.proto). Addresses are text here and 4/16 octets on the bus; communities are
ExaBGP's "65000:1" text (or the well-known names) here and (high << 16) | low on the bus
(RFC 1997)."""

import ipaddress
from dataclasses import dataclass, field
from typing import List, Optional, Union

from bgpbus.v1 import attributes_pb2, community_pb2, nlri_pb2, route_pb2

# RFC 1997, RFC 3765, RFC 7999: ExaBGP's names for the well-known communities.
WELL_KNOWN = {
    "no-export": 0xFFFFFF01,
    "no-advertise": 0xFFFFFF02,
    "no-export-subconfed": 0xFFFFFF03,
    "nopeer": 0xFFFFFF04,
    "blackhole": 0xFFFF029A,
}
_WELL_KNOWN_NAMES = {v: k for k, v in WELL_KNOWN.items()}

_ORIGINS = {"igp": attributes_pb2.ORIGIN_IGP, "egp": attributes_pb2.ORIGIN_EGP,
            "incomplete": attributes_pb2.ORIGIN_INCOMPLETE}
_ORIGIN_NAMES = {v: k for k, v in _ORIGINS.items()}


@dataclass
class Route:
    """One unicast (or multicast) route. None means absent: the attribute is not sent, or
    takes the speaker's default (attributes.proto). next_hop="self" is ExaBGP's next-hop
    self. Routes received in events carry family and owner as the speaker reports them."""

    prefix: str
    next_hop: Optional[str] = None
    as_path: Optional[List[int]] = None
    origin: Optional[str] = None
    med: Optional[int] = None
    local_pref: Optional[int] = None
    communities: List[Union[str, int]] = field(default_factory=list)
    large_communities: List[str] = field(default_factory=list)
    path_id: Optional[int] = None
    multicast: bool = False
    owner: Optional[str] = None
    family: Optional[str] = None

    def __str__(self):
        words = [self.prefix]
        if self.next_hop is not None:
            words.append("nh=%s" % self.next_hop)
        if self.as_path is not None:
            words.append("aspath=%s" % ",".join(str(a) for a in self.as_path))
        for name in ("origin", "med", "local_pref", "path_id"):
            v = getattr(self, name)
            if v is not None:
                words.append("%s=%s" % (name, v))
        if self.communities:
            words.append("comm=%s" % ",".join(str(c) for c in self.communities))
        if self.large_communities:
            words.append("large=%s" % ",".join(self.large_communities))
        return " ".join(words)


def _u32(name, v):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 0xFFFFFFFF:
        raise ValueError("%s must be an integer 0..4294967295, not %r" % (name, v))
    return v


def community_value(c):
    """ "65000:1", a well-known name, or an int -> the 32-bit COMMUNITIES value."""
    if isinstance(c, int) and not isinstance(c, bool):
        return _u32("community", c)
    if isinstance(c, str):
        if c.lower() in WELL_KNOWN:
            return WELL_KNOWN[c.lower()]
        hi, sep, lo = c.partition(":")
        if sep and hi.isdigit() and lo.isdigit() and int(hi) <= 0xFFFF and int(lo) <= 0xFFFF:
            return int(hi) << 16 | int(lo)
    raise ValueError("bad community %r (want \"a:b\", 16 bits each, or a well-known name)" % (c,))


def community_text(v):
    return _WELL_KNOWN_NAMES.get(v, "%d:%d" % (v >> 16, v & 0xFFFF))


def _large_value(c):
    parts = c.split(":") if isinstance(c, str) else []
    if len(parts) != 3 or not all(p.isdigit() and int(p) <= 0xFFFFFFFF for p in parts):
        raise ValueError("bad large community %r (want \"a:b:c\", 32 bits each)" % (c,))
    return community_pb2.LargeCommunity(global_admin=int(parts[0]), local_data_1=int(parts[1]),
                                        local_data_2=int(parts[2]))


def _prefix(text):
    try:
        net = ipaddress.ip_network(text, strict=True)
    except ValueError as e:
        raise ValueError("bad prefix %r: %s" % (text, e)) from None
    return net


def address_text(b):
    """4 or 16 octets -> text; anything else -> hex (never raises on what the bus sends)."""
    if len(b) in (4, 16):
        return str(ipaddress.ip_address(bytes(b)))
    return b.hex()


def to_nlri(route):
    net = _prefix(route.prefix)
    n = nlri_pb2.Nlri()
    p = n.multicast if route.multicast else n.unicast
    p.address = net.network_address.packed
    p.length = net.prefixlen
    if route.path_id is not None:
        n.path_id = _u32("path_id", route.path_id)
    return n


def to_pb(route, with_attributes=True):
    """A Route -> bgpbus.v1.Route. Raises ValueError on a malformed field."""
    if isinstance(route, str):
        route = Route(prefix=route)
    r = route_pb2.Route(nlri=to_nlri(route))
    if route.owner is not None:
        r.owner = route.owner
    if not with_attributes:
        return r
    a = r.attributes
    if route.next_hop is not None:
        if route.next_hop == "self":
            a.next_hop.use_local_address = True
        else:
            try:
                a.next_hop.address = ipaddress.ip_address(route.next_hop).packed
            except ValueError:
                raise ValueError("bad next hop %r" % (route.next_hop,)) from None
    if route.as_path is not None:
        seg = a.as_path.segments.add() if route.as_path else None
        a.as_path.SetInParent()  # an explicitly empty AS_PATH is not an absent one
        if seg is not None:
            seg.type = attributes_pb2.AS_PATH_SEGMENT_TYPE_SEQUENCE
            seg.asns.extend(_u32("as_path", asn) for asn in route.as_path)
    if route.origin is not None:
        if route.origin not in _ORIGINS:
            raise ValueError("bad origin %r (igp, egp or incomplete)" % (route.origin,))
        a.origin = _ORIGINS[route.origin]
    if route.med is not None:
        a.med = _u32("med", route.med)
    if route.local_pref is not None:
        a.local_pref = _u32("local_pref", route.local_pref)
    a.communities.extend(community_value(c) for c in route.communities)
    for lc in route.large_communities:
        a.large_communities.append(_large_value(lc))
    return r


_FAMILY_NAMES = {(1, 1): "ipv4 unicast", (2, 1): "ipv6 unicast", (1, 2): "ipv4 multicast",
                 (2, 2): "ipv6 multicast"}


def family_text(fam):
    return _FAMILY_NAMES.get((fam.afi, fam.safi), "%d/%d" % (fam.afi, fam.safi))


def nlri_text(n):
    """The prefix of a unicast/multicast NLRI; other families by their member name."""
    kind = n.WhichOneof("nlri")
    if kind in ("unicast", "multicast"):
        p = getattr(n, kind)
        return "%s/%d" % (address_text(p.address), p.length)
    if kind in ("labeled_unicast", "vpn"):
        p = getattr(n, kind).prefix
        return "%s/%d" % (address_text(p.address), p.length)
    return kind or "unknown"


def from_pb_attributes(route, a, next_hop=None):
    """Fills route's attribute fields from a bgpbus.v1.Attributes."""
    nh = next_hop if next_hop is not None else (a.next_hop if a.HasField("next_hop") else None)
    if nh is not None:
        route.next_hop = "self" if nh.use_local_address else address_text(nh.address)
    if a.HasField("as_path"):
        route.as_path = [asn for seg in a.as_path.segments for asn in seg.asns]
    if a.HasField("origin"):
        route.origin = _ORIGIN_NAMES.get(a.origin)
    if a.HasField("med"):
        route.med = a.med
    if a.HasField("local_pref"):
        route.local_pref = a.local_pref
    route.communities = [community_text(v) for v in a.communities]
    route.large_communities = ["%d:%d:%d" % (c.global_admin, c.local_data_1, c.local_data_2)
                               for c in a.large_communities]
    return route


def from_pb_nlri(n, family=None):
    route = Route(prefix=nlri_text(n), multicast=n.WhichOneof("nlri") == "multicast")
    if n.HasField("path_id"):
        route.path_id = n.path_id
    if family is not None:
        route.family = family_text(family)
    return route


def from_pb(r):
    """A bgpbus.v1.Route (a listing) -> Route."""
    route = from_pb_nlri(r.nlri)
    if r.HasField("owner"):
        route.owner = r.owner
    if r.HasField("attributes"):
        from_pb_attributes(route, r.attributes)
    return route
