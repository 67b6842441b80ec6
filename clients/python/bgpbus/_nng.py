"""libnng 1.5.x through ctypes: the few calls a bus client needs, each result checked.

Only cooked REQ and SUB sockets are used. Cooked REQ allows one request at a time per
socket (Client serialises its calls with a lock) and would silently re-send a request after
NNG_OPT_REQ_RESENDTIME (60 s by default), running a command twice: the resend time is set
to "never" at open. ctypes releases the GIL during each foreign call, so a thread blocked in
nng_recv does not stop the others.
"""

import ctypes
import ctypes.util
import os
import threading

NNG_FLAG_ALLOC = 1
NNG_ETIMEDOUT = 5
NNG_ECLOSED = 7
NNG_EAGAIN = 8
NNG_DURATION_INFINITE = -1

# The largest message accepted; replies to ShowAdjRib and ReadEvents are paged by the
# speaker below this. Event queues at nng's maximum: PUB/SUB drops silently when full.
RECV_MAX = 256 * 1024 * 1024
QUEUE_MAX = 8192


class NngError(OSError):
    """A failing nng call: errno is nng's error number."""

    def __init__(self, call, rv):
        super().__init__(rv, "%s: %s" % (call, strerror(rv)))
        self.call = call


class _Socket(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32)]


class _Dialer(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32)]


# nng/supplemental/tls/tls.h
NNG_TLS_MODE_CLIENT = 0
NNG_TLS_AUTH_MODE_REQUIRED = 2
NNG_TLS_1_2 = 0x303


class TLS:
    """Mutual TLS for tls+tcp:// URLs, as the speaker's --tls-* options: cert/key (PEM files)
    are this client's own, ca the CAs that sign the speaker's certificate, server_name the name
    that certificate must carry. cert and key may be absent (the speaker then refuses us)."""

    def __init__(self, ca, server_name, cert=None, key=None):
        if (cert is None) != (key is None):
            raise ValueError("TLS: cert and key go together")
        self.ca, self.server_name, self.cert, self.key = ca, server_name, cert, key


def _tls_config(tls):
    """A client nng_tls_config for tls (the caller frees it); TLS 1.2 as the speaker."""
    L = lib()
    cfg = ctypes.c_void_p()
    _check("nng_tls_config_alloc", L.nng_tls_config_alloc(ctypes.byref(cfg), NNG_TLS_MODE_CLIENT))
    try:
        _check("nng_tls_config_version",
               L.nng_tls_config_version(cfg, NNG_TLS_1_2, NNG_TLS_1_2))
        if tls.cert is not None:
            with open(tls.cert, "rb") as f:
                cert = f.read()
            with open(tls.key, "rb") as f:
                key = f.read()
            _check("TLS certificate %s / key %s" % (tls.cert, tls.key),
                   L.nng_tls_config_own_cert(cfg, cert, key, None))
        _check("TLS CA file %s" % tls.ca, L.nng_tls_config_ca_file(cfg, tls.ca.encode()))
        _check("nng_tls_config_auth_mode",
               L.nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED))
        _check("nng_tls_config_server_name",
               L.nng_tls_config_server_name(cfg, tls.server_name.encode()))
    except BaseException:
        L.nng_tls_config_free(cfg)
        raise
    return cfg


def _load():
    name = os.environ.get("BGPBUS_LIBNNG") or ctypes.util.find_library("nng") or "libnng.so.1"
    lib = ctypes.CDLL(name, use_errno=False)
    sock, p_sock = _Socket, ctypes.POINTER(_Socket)
    sigs = {
        "nng_req0_open": (ctypes.c_int, [p_sock]),
        "nng_sub0_open": (ctypes.c_int, [p_sock]),
        "nng_close": (ctypes.c_int, [sock]),
        "nng_dial": (ctypes.c_int, [sock, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]),
        "nng_socket_set": (ctypes.c_int, [sock, ctypes.c_char_p, ctypes.c_void_p,
                                          ctypes.c_size_t]),
        "nng_socket_set_int": (ctypes.c_int, [sock, ctypes.c_char_p, ctypes.c_int]),
        "nng_socket_set_size": (ctypes.c_int, [sock, ctypes.c_char_p, ctypes.c_size_t]),
        "nng_socket_set_ms": (ctypes.c_int, [sock, ctypes.c_char_p, ctypes.c_int32]),
        "nng_send": (ctypes.c_int, [sock, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]),
        "nng_recv": (ctypes.c_int, [sock, ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t),
                                    ctypes.c_int]),
        "nng_free": (None, [ctypes.c_void_p, ctypes.c_size_t]),
        "nng_strerror": (ctypes.c_char_p, [ctypes.c_int]),
        "nng_version": (ctypes.c_char_p, []),
        "nng_dialer_create": (ctypes.c_int, [ctypes.POINTER(_Dialer), sock, ctypes.c_char_p]),
        "nng_dialer_set_ptr": (ctypes.c_int, [_Dialer, ctypes.c_char_p, ctypes.c_void_p]),
        "nng_dialer_start": (ctypes.c_int, [_Dialer, ctypes.c_int]),
        "nng_tls_config_alloc": (ctypes.c_int, [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int]),
        "nng_tls_config_free": (None, [ctypes.c_void_p]),
        "nng_tls_config_version": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]),
        "nng_tls_config_own_cert": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p,
                                                   ctypes.c_char_p, ctypes.c_char_p]),
        "nng_tls_config_ca_file": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
        "nng_tls_config_auth_mode": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int]),
        "nng_tls_config_server_name": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
    }
    for fname, (res, args) in sigs.items():
        fn = getattr(lib, fname)
        fn.restype, fn.argtypes = res, args
    return lib


_lib = None
_lib_lock = threading.Lock()


def lib():
    global _lib
    with _lib_lock:
        if _lib is None:
            _lib = _load()
        return _lib


def strerror(rv):
    return lib().nng_strerror(rv).decode("utf-8", "replace")


def version():
    return lib().nng_version().decode()


def _check(call, rv):
    if rv != 0:
        raise NngError(call, rv)


class Socket:
    """One nng socket, dialled to one URL. close() is idempotent and safe from any thread:
    a call blocked in recv() on another thread then fails with NNG_ECLOSED."""

    def __init__(self, kind, url, recv_timeout_ms=None, wait=True, tls=None):
        self._s = _Socket()
        opener = {"req": lib().nng_req0_open, "sub": lib().nng_sub0_open}[kind]
        _check("nng_%s0_open" % kind, opener(ctypes.byref(self._s)))
        self._closed = False
        try:
            L = lib()
            _check("recv-size-max", L.nng_socket_set_size(self._s, b"recv-size-max", RECV_MAX))
            _check("recv-buffer", L.nng_socket_set_int(self._s, b"recv-buffer", QUEUE_MAX))
            # Back on a restarted speaker within a second (nng re-dials by itself).
            _check("reconnect-time-min", L.nng_socket_set_ms(self._s, b"reconnect-time-min", 100))
            _check("reconnect-time-max", L.nng_socket_set_ms(self._s, b"reconnect-time-max", 1000))
            if kind == "req":
                _check("req:resend-time",
                       L.nng_socket_set_ms(self._s, b"req:resend-time", NNG_DURATION_INFINITE))
            if recv_timeout_ms is not None:
                self.set_recv_timeout(recv_timeout_ms)
            # NNG_FLAG_NONBLOCK (2): keep dialling in the background when the speaker is not
            # there yet; otherwise fail now with a clear error.
            flags = 0 if wait else 2
            if url.startswith("tls+tcp"):
                self._dial_tls(url, tls, flags)
            else:
                _check("nng_dial %s" % url, L.nng_dial(self._s, url.encode(), None, flags))
        except BaseException:
            self.close()
            raise

    def _dial_tls(self, url, tls, flags):
        """nng_dial cannot take a TLS configuration: a dialer is created, configured, started.
        The dialer holds its own reference to the configuration."""
        if tls is None:
            raise ValueError("%s needs TLS settings (bgpbus.TLS)" % url)
        L = lib()
        d = _Dialer()
        cfg = _tls_config(tls)
        try:
            _check("nng_dialer_create %s" % url, L.nng_dialer_create(ctypes.byref(d), self._s,
                                                                     url.encode()))
            _check("tls-config", L.nng_dialer_set_ptr(d, b"tls-config", cfg))
            _check("nng_dial %s" % url, L.nng_dialer_start(d, flags))
        finally:
            L.nng_tls_config_free(cfg)

    def set_recv_timeout(self, ms):
        _check("recv-timeout", lib().nng_socket_set_ms(
            self._s, b"recv-timeout", NNG_DURATION_INFINITE if ms is None else int(ms)))

    def subscribe(self, topic):
        t = topic.encode() if isinstance(topic, str) else bytes(topic)
        _check("sub:subscribe", lib().nng_socket_set(self._s, b"sub:subscribe", t, len(t)))

    def send(self, data):
        buf = ctypes.create_string_buffer(bytes(data), len(data))
        _check("nng_send", lib().nng_send(self._s, buf, len(data), 0))

    def recv(self):
        """The next message as bytes; NngError(NNG_ETIMEDOUT) after the receive timeout."""
        ptr = ctypes.c_void_p()
        size = ctypes.c_size_t(0)
        _check("nng_recv", lib().nng_recv(self._s, ctypes.byref(ptr), ctypes.byref(size),
                                          NNG_FLAG_ALLOC))
        try:
            return ctypes.string_at(ptr.value, size.value) if size.value else b""
        finally:
            lib().nng_free(ptr, size.value)

    def close(self):
        if not self._closed:
            self._closed = True
            lib().nng_close(self._s)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
