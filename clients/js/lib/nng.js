'use strict';
// libnng 1.5.x through koffi: the few calls a bus client needs, each result checked.
//
// Cooked REQ and SUB sockets. Cooked REQ allows one request at a time per socket (Client
// queues its calls) and would silently re-send a request after NNG_OPT_REQ_RESENDTIME (60 s
// by default), running a command twice: the resend time is set to "never" at open.
// Blocking calls (nng_recv, nng_send) run on the libuv thread pool through koffi's async
// calls, so the event loop never blocks; closing a socket makes a pending receive fail with
// NNG_ECLOSED. nng_fini runs at process exit: without it Node crashes in nng's atexit
// teardown with this version of nng.
const koffi = require('koffi');

const NNG_FLAG_ALLOC = 1;
const NNG_FLAG_NONBLOCK = 2;
const NNG_DURATION_INFINITE = -1;
const NNG_ETIMEDOUT = 5;
const NNG_ECLOSED = 7;
// Replies to ShowAdjRib and ReadEvents are paged by the speaker below this. Event queues at
// nng's maximum: PUB/SUB drops silently when full.
const RECV_MAX = 256 * 1024 * 1024;
const QUEUE_MAX = 8192;

let lib = null;

function load() {
  if (lib) return lib;
  const so = process.env.BGPBUS_LIBNNG || 'libnng.so.1';
  const l = koffi.load(so);
  koffi.struct('nng_socket', { id: 'uint32_t' });
  lib = {
    req0_open: l.func('int nng_req0_open(_Out_ nng_socket *s)'),
    sub0_open: l.func('int nng_sub0_open(_Out_ nng_socket *s)'),
    close: l.func('int nng_close(nng_socket s)'),
    dial: l.func('int nng_dial(nng_socket s, const char *url, void *dialer, int flags)'),
    set: l.func('int nng_socket_set(nng_socket s, const char *name, const void *v, size_t sz)'),
    set_int: l.func('int nng_socket_set_int(nng_socket s, const char *name, int v)'),
    set_size: l.func('int nng_socket_set_size(nng_socket s, const char *name, size_t v)'),
    set_ms: l.func('int nng_socket_set_ms(nng_socket s, const char *name, int32_t v)'),
    send: l.func('int nng_send(nng_socket s, const void *data, size_t sz, int flags)'),
    recv: l.func('int nng_recv(nng_socket s, _Out_ void **data, _Inout_ size_t *sz, int flags)'),
    free: l.func('void nng_free(void *p, size_t sz)'),
    strerror: l.func('const char *nng_strerror(int rv)'),
    fini: l.func('void nng_fini(void)'),
  };
  process.once('exit', () => {
    for (const s of live) s.close();
    lib.fini();
  });
  return lib;
}

const live = new Set();

class NngError extends Error {
  constructor(call, rv) {
    super(`${call}: ${load().strerror(rv)}`);
    this.name = 'NngError';
    this.errno = rv;
  }
}

function check(call, rv) {
  if (rv !== 0) throw new NngError(call, rv);
}

function callAsync(fn, ...args) {
  return new Promise((resolve, reject) => {
    fn.async(...args, (err, rv) => (err ? reject(err) : resolve(rv)));
  });
}

class Socket {
  // kind: 'req' or 'sub'; wait false: keep dialling in the background while the speaker
  // is not there (nng re-dials by itself), instead of failing now.
  constructor(kind, url, { recvTimeoutMs = null, wait = true } = {}) {
    const l = load();
    const out = {};
    check(`nng_${kind}0_open`, (kind === 'req' ? l.req0_open : l.sub0_open)(out));
    this.s = out;
    this.closed = false;
    live.add(this);
    try {
      check('recv-size-max', l.set_size(this.s, 'recv-size-max', RECV_MAX));
      check('recv-buffer', l.set_int(this.s, 'recv-buffer', QUEUE_MAX));
      // Back on a restarted speaker within a second.
      check('reconnect-time-min', l.set_ms(this.s, 'reconnect-time-min', 100));
      check('reconnect-time-max', l.set_ms(this.s, 'reconnect-time-max', 1000));
      if (kind === 'req') check('req:resend-time', l.set_ms(this.s, 'req:resend-time', NNG_DURATION_INFINITE));
      if (recvTimeoutMs != null) check('recv-timeout', l.set_ms(this.s, 'recv-timeout', recvTimeoutMs));
      check(`nng_dial ${url}`, l.dial(this.s, url, null, wait ? 0 : NNG_FLAG_NONBLOCK));
    } catch (e) {
      this.close();
      throw e;
    }
  }

  subscribe(topic) {
    const t = Buffer.from(topic);
    check('sub:subscribe', load().set(this.s, 'sub:subscribe', t, t.length));
  }

  async send(buf) {
    if (this.closed) throw new NngError('nng_send', NNG_ECLOSED);
    check('nng_send', await callAsync(load().send, this.s, buf, buf.length, 0));
  }

  // The next message as a Buffer; NngError (errno NNG_ETIMEDOUT) after the receive timeout.
  async recv() {
    if (this.closed) throw new NngError('nng_recv', NNG_ECLOSED);
    const l = load();
    const ptr = [null];
    const size = [0];
    check('nng_recv', await callAsync(l.recv, this.s, ptr, size, NNG_FLAG_ALLOC));
    if (size[0] === 0) {
      l.free(ptr[0], 0);
      return Buffer.alloc(0);
    }
    const copy = Buffer.from(new Uint8Array(koffi.view(ptr[0], size[0]))); // a copy: freed next
    l.free(ptr[0], size[0]);
    return copy;
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    load().close(this.s);
  }
}

module.exports = { Socket, NngError, NNG_ETIMEDOUT, NNG_ECLOSED };
