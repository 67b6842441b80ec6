"""bgpbus: the Python client of the bgpbus speaker (clients/python).

    import bgpbus
    c = bgpbus.Client(command="ipc:///run/bgpbus/command.sock",
                      events="ipc:///run/bgpbus/events.sock")
    c.announce([bgpbus.Route(prefix="10.0.0.0/24", next_hop="192.0.2.1",
                             communities=["65000:1"], local_pref=200, med=10, as_path=[64512])])
    for ev in c.events(types=["update"]):
        print(ev.type, ev.neighbor, [r.prefix for r in ev.announced])

Talks to libnng through ctypes; the bgpbus.v1 protobuf modules are generated at build time
(bgpbus/v1/*_pb2.py, proto/CMakeLists.txt).
"""

from bgpbus._nng import TLS, NngError
from bgpbus.client import BgpbusError, Client, Neighbor, Result, default_url
from bgpbus.events import Event, EventStream
from bgpbus.routes import Route

__version__ = "0.1.0"
__all__ = ["BgpbusError", "Client", "Event", "EventStream", "Neighbor", "NngError", "Result",
           "Route", "TLS", "default_url"]
