/*
 * ExaBGP 4.2's JSON encoder (SPEC 3): the envelope and every event but the UPDATE body
 * (lib/exa_json_update.c). Members are written in ExaBGP's order (SPEC 3.1), compactly; the
 * profile is 4.2's, "exabgp": "4.0.1", with 4.2's invalid JSON fixed (SPEC 0.3).
 */
#include <time.h>

#include "exa_int.h"
#include "exa_json.h"

#define EXA_API_VERSION "4.0.1"

/* "{ exabgp, time, host, pid, ppid[, counter], type" (SPEC 3.1 members 1-7). */
static void
exa_json_envelope(struct exa_buf *b, const struct exa_env *env, double time, bool has_counter,
                  uint64_t counter, const char *type)
{
    EXA_PUTS(b, "{ \"exabgp\": \"" EXA_API_VERSION "\", \"time\": ");
    exa_put_double(b, env->time_override >= 0 ? env->time_override : time);
    EXA_PUTS(b, ", \"host\": ");
    exa_put_jstr(b, env->host != NULL ? env->host : "", env->host != NULL ? strlen(env->host) : 0);
    EXA_PUTS(b, ", \"pid\": ");
    exa_put_i64(b, env->pid);
    EXA_PUTS(b, ", \"ppid\": ");
    exa_put_i64(b, env->ppid);
    if (has_counter) {
        EXA_PUTS(b, ", \"counter\": ");
        exa_put_u64(b, counter);
    }
    EXA_PUTS(b, ", \"type\": ");
    exa_put_jstr(b, type, strlen(type));
}

static void
exa_json_ip_or_null(struct exa_buf *b, bool has, ProtobufCBinaryData d)
{
    if (!has) {
        EXA_PUTS(b, "null");
        return;
    }
    exa_putc(b, '"');
    exa_put_ipb(b, d);
    exa_putc(b, '"');
}

/* ", "neighbor": { address, asn[, direction]" (SPEC 3.1); the caller adds the payload. */
static void
exa_json_neighbor(struct exa_buf *b, const Bgpbus__V1__PeerKey *peer, const char *direction)
{
    static const Bgpbus__V1__PeerKey none = BGPBUS__V1__PEER_KEY__INIT;

    if (peer == NULL)
        peer = &none;
    EXA_PUTS(b, ", \"neighbor\": { \"address\": { \"local\": ");
    exa_json_ip_or_null(b, peer->has_local_address, peer->local_address);
    EXA_PUTS(b, ", \"peer\": ");
    exa_json_ip_or_null(b, peer->has_address, peer->address);
    EXA_PUTS(b, " }, \"asn\": { \"local\": ");
    exa_put_u64(b, peer->local_as);
    EXA_PUTS(b, ", \"peer\": ");
    exa_put_u64(b, peer->peer_as);
    EXA_PUTS(b, " }");
    if (direction != NULL) {
        EXA_PUTS(b, ", \"direction\": \"");
        exa_puts(b, direction);
        exa_putc(b, '"');
    }
}

static void
exa_json_end(struct exa_buf *b)
{
    EXA_PUTS(b, " } }\n");
}

/* 4.2 rewrites brackets in the down reason to parentheses (SPEC 3.2) and escapes quotes. */
static void
exa_json_reason(struct exa_buf *b, const char *reason)
{
    size_t start = b->len;

    exa_put_jstr(b, reason, strlen(reason));
    if (b->oom)
        return;
    for (size_t i = start + 1; i + 1 < b->len; i++) {
        char c = b->data[i];

        if (c == '[' || c == '{')
            b->data[i] = '(';
        else if (c == ']' || c == '}')
            b->data[i] = ')';
    }
}

static int
exa_json_state(struct exa_buf *b, const Bgpbus__V1__StateChange *st)
{
    switch (st->change) {
    case BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_CONNECTED:
        EXA_PUTS(b, ", \"state\": \"connected\"");
        return 0;
    case BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_UP:
        EXA_PUTS(b, ", \"state\": \"up\"");
        return 0;
    case BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_DOWN:
        EXA_PUTS(b, ", \"state\": \"down\", \"reason\": ");
        exa_json_reason(b, st->reason != NULL ? st->reason : "");
        return 0;
    default: return -1;
    }
}

static void
exa_json_notification(struct exa_buf *b, const Bgpbus__V1__Notification *n)
{
    EXA_PUTS(b, ", \"notification\": { \"code\": ");
    exa_put_u64(b, n->code);
    EXA_PUTS(b, ", \"subcode\": ");
    exa_put_u64(b, n->subcode);
    EXA_PUTS(b, ", \"data\": \"");
    exa_put_hex(b, n->data.data, n->has_data ? n->data.len : 0);
    EXA_PUTS(b, "\" }");
}

static void
exa_json_family_members(struct exa_buf *b, const Bgpbus__V1__Family *f)
{
    size_t at;

    /* Written as one "<afi> <safi>" then split, so unknown numbers read as in 4.2. */
    EXA_PUTS(b, "\"afi\": \"");
    at = b->len;
    exa_put_family_pb(b, f, '\n');
    if (!b->oom) {
        char *nl = memchr(b->data + at, '\n', b->len - at);
        size_t tail = b->len - (size_t)(nl - b->data) - 1;
        char safi[64];

        if (tail >= sizeof(safi))
            tail = sizeof(safi) - 1;
        memcpy(safi, nl + 1, tail);
        b->len = (size_t)(nl - b->data);
        EXA_PUTS(b, "\", \"safi\": \"");
        exa_put(b, safi, tail);
    }
    exa_putc(b, '"');
}

/* SPEC 3.8, with 4.2's doubled quotes fixed. */
static void
exa_json_refresh(struct exa_buf *b, const Bgpbus__V1__RouteRefresh *rr)
{
    EXA_PUTS(b, ", \"route-refresh\": { ");
    exa_json_family_members(b, rr->family);
    EXA_PUTS(b, ", \"subtype\": \"");
    exa_puts(b, exa_refresh_subtype_name(rr->subtype));
    EXA_PUTS(b, "\" }");
}

static const char *
exa_operational_name(const Bgpbus__V1__Operational *op)
{
    static const char *const names[] = { NULL,   "ADM",  "ASM",  "RPCQ", "RPCP",
                                         "APCQ", "APCP", "LPCQ", "LPCP" };

    if (!op->has_type || op->type >= sizeof(names) / sizeof(names[0]))
        return NULL;
    return names[op->type];
}

/* SPEC 3.9, with 4.2's doubled quotes fixed; unknown types in main's form. */
static void
exa_json_operational(struct exa_buf *b, const Bgpbus__V1__Operational *op)
{
    const char *name = exa_operational_name(op);

    EXA_PUTS(b, ", \"operational\": { \"name\": ");
    if (name == NULL) {
        EXA_PUTS(b, "\"unknown\", \"type\": ");
        exa_put_u64(b, op->has_raw_type ? op->raw_type : op->type);
        EXA_PUTS(b, ", \"data\": \"");
        exa_put_hex(b, op->raw_data.data, op->has_raw_data ? op->raw_data.len : 0);
        EXA_PUTS(b, "\" }");
        return;
    }
    exa_putc(b, '"');
    exa_puts(b, name);
    EXA_PUTS(b, "\", ");
    exa_json_family_members(b, op->family);
    switch (op->type) {
    case BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_ADM:
    case BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_ASM:
        EXA_PUTS(b, ", \"advisory\": ");
        exa_put_jstr(b, op->advisory != NULL ? op->advisory : "",
                     op->advisory != NULL ? strlen(op->advisory) : 0);
        break;
    case BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_RPCP:
    case BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_APCP:
    case BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_LPCP:
        EXA_PUTS(b, ", \"router-id\": \"");
        exa_put_ipb(b, op->router_id);
        EXA_PUTS(b, "\", \"sequence\": ");
        exa_put_u64(b, op->sequence);
        EXA_PUTS(b, ", \"counter\": ");
        exa_put_u64(b, op->counter);
        break;
    default: break;
    }
    EXA_PUTS(b, " }");
}

static void
exa_json_family_list(struct exa_buf *b, Bgpbus__V1__Family *const *f, size_t n)
{
    EXA_PUTS(b, "[ ");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            EXA_PUTS(b, ", ");
        exa_putc(b, '"');
        exa_put_family_pb(b, f[i], ' ');
        exa_putc(b, '"');
    }
    EXA_PUTS(b, " ]");
}

void
exa_json_negotiated_object(struct exa_buf *b, const Bgpbus__V1__Negotiated *n)
{
    EXA_PUTS(b, "{ \"message_size\": ");
    exa_put_u64(b, n->message_size);
    EXA_PUTS(b, ", \"hold_time\": ");
    exa_put_u64(b, n->hold_time);
    EXA_PUTS(b, ", \"asn4\": ");
    exa_puts(b, n->asn4 ? "true" : "false");
    EXA_PUTS(b, ", \"multisession\": ");
    exa_puts(b, n->multisession ? "true" : "false");
    EXA_PUTS(b, ", \"operational\": ");
    exa_puts(b, n->operational ? "true" : "false");
    EXA_PUTS(b, ", \"refresh\": ");
    switch (n->refresh) {
    case BGPBUS__V1__ROUTE_REFRESH_MODE__ROUTE_REFRESH_MODE_NORMAL:
        EXA_PUTS(b, "\"normal\"");
        break;
    case BGPBUS__V1__ROUTE_REFRESH_MODE__ROUTE_REFRESH_MODE_ENHANCED:
        EXA_PUTS(b, "\"enhanced\"");
        break;
    default: EXA_PUTS(b, "\"absent\""); break;
    }
    EXA_PUTS(b, ", \"families\": ");
    exa_json_family_list(b, n->families, n->n_families);
    /* RFC 8950: "<afi> <safi> <next-hop afi>". */
    EXA_PUTS(b, ", \"nexthop\": [ ");
    for (size_t i = 0; i < n->n_extended_next_hop; i++) {
        const Bgpbus__V1__ExtendedNextHopFamily *e = n->extended_next_hop[i];
        const char *nh = exa_afi_name(e->next_hop_afi);

        if (i > 0)
            EXA_PUTS(b, ", ");
        exa_putc(b, '"');
        exa_put_family_pb(b, e->family, ' ');
        exa_putc(b, ' ');
        if (nh != NULL)
            exa_puts(b, nh);
        else
            exa_put_u64(b, e->next_hop_afi);
        exa_putc(b, '"');
    }
    /* 4.2 cannot format the send list once add-path send is negotiated (SPEC 3.10): this is
     * main's rendering of both lists. */
    EXA_PUTS(b, " ], \"add_path\": { \"send\": ");
    exa_json_family_list(b, n->add_path_send, n->n_add_path_send);
    EXA_PUTS(b, ", \"receive\": ");
    exa_json_family_list(b, n->add_path_receive, n->n_add_path_receive);
    EXA_PUTS(b, " } }");
}

static const char *
exa_fsm_name(Bgpbus__V1__FsmState s)
{
    switch (s) {
    case BGPBUS__V1__FSM_STATE__FSM_STATE_IDLE: return "IDLE";
    case BGPBUS__V1__FSM_STATE__FSM_STATE_CONNECT: return "CONNECT";
    case BGPBUS__V1__FSM_STATE__FSM_STATE_ACTIVE: return "ACTIVE";
    case BGPBUS__V1__FSM_STATE__FSM_STATE_OPENSENT: return "OPENSENT";
    case BGPBUS__V1__FSM_STATE__FSM_STATE_OPENCONFIRM: return "OPENCONFIRM";
    case BGPBUS__V1__FSM_STATE__FSM_STATE_ESTABLISHED: return "ESTABLISHED";
    default: return NULL;
    }
}

/* The "type" of a parsed event, or NULL when the body has no JSON form. */
static const char *
exa_json_type(const Bgpbus__V1__Event *ev)
{
    switch (ev->body_case) {
    case BGPBUS__V1__EVENT__BODY_STATE: return "state";
    case BGPBUS__V1__EVENT__BODY_OPEN: return "open";
    case BGPBUS__V1__EVENT__BODY_NEGOTIATED: return "negotiated";
    case BGPBUS__V1__EVENT__BODY_UPDATE: return "update";
    case BGPBUS__V1__EVENT__BODY_EOR: return "update";
    case BGPBUS__V1__EVENT__BODY_NOTIFICATION: return "notification";
    case BGPBUS__V1__EVENT__BODY_KEEPALIVE: return "keepalive";
    case BGPBUS__V1__EVENT__BODY_ROUTE_REFRESH: return "refresh";
    case BGPBUS__V1__EVENT__BODY_OPERATIONAL: return "operational";
    default: return NULL;
    }
}

static bool
exa_is_message(const Bgpbus__V1__Event *ev)
{
    switch (ev->body_case) {
    case BGPBUS__V1__EVENT__BODY_OPEN:
    case BGPBUS__V1__EVENT__BODY_UPDATE:
    case BGPBUS__V1__EVENT__BODY_EOR:
    case BGPBUS__V1__EVENT__BODY_NOTIFICATION:
    case BGPBUS__V1__EVENT__BODY_KEEPALIVE:
    case BGPBUS__V1__EVENT__BODY_ROUTE_REFRESH:
    case BGPBUS__V1__EVENT__BODY_OPERATIONAL: return true;
    default: return false;
    }
}

/* The raw message split as ExaBGP shows it: 19-octet header, then body (RFC 4271 4.1). */
static bool
exa_raw_ok(const Bgpbus__V1__Event *ev)
{
    return ev->has_raw && ev->raw.len >= 19;
}

static void
exa_json_header_body(struct exa_buf *b, const Bgpbus__V1__Event *ev)
{
    EXA_PUTS(b, "\"header\": \"");
    exa_put_hex(b, ev->raw.data, 19);
    EXA_PUTS(b, "\", \"body\": \"");
    exa_put_hex(b, ev->raw.data + 19, ev->raw.len - 19);
    exa_putc(b, '"');
}

int
exa_json_event_negotiated(const Bgpbus__V1__Event *ev, const struct exa_env *env, uint64_t counter,
                          enum exa_form form, unsigned opts,
                          const Bgpbus__V1__Negotiated *negotiated, struct exa_buf *out)
{
    size_t start = out->len;
    const char *type = exa_json_type(ev);
    const char *dir = exa_is_message(ev) ? exa_direction_name(ev) : NULL;
    double time = ev->has_time ? ev->time : 0;

    if (type == NULL || ev->peer == NULL)
        return -1;
    if (form != EXA_PARSED) {
        if (!exa_is_message(ev) || !exa_raw_ok(ev))
            return -1;
    }
    if (ev->body_case == BGPBUS__V1__EVENT__BODY_STATE &&
        (ev->state == NULL || ev->state->change == 0 ||
         ev->state->change > BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_DOWN))
        return -1;

    if (form == EXA_PACKETS) {
        /* SPEC 3.11: "type" is the message name, the payload the category and bytes. */
        const char *name = exa_message_name(ev->raw.data[18]);

        if (name == NULL)
            return -1;
        exa_json_envelope(out, env, time, true, counter, name);
        exa_json_neighbor(out, ev->peer, dir);
        EXA_PUTS(out, ", \"message\": { \"category\": ");
        exa_put_u64(out, ev->raw.data[18]);
        EXA_PUTS(out, ", ");
        exa_json_header_body(out, ev);
        EXA_PUTS(out, " }");
    } else {
        exa_json_envelope(out, env, time, true, counter, type);
        if (form == EXA_CONSOLIDATE) {
            EXA_PUTS(out, ", ");
            exa_json_header_body(out, ev);
        }
        exa_json_neighbor(out, ev->peer, dir);
        switch (ev->body_case) {
        case BGPBUS__V1__EVENT__BODY_STATE:
            if (exa_json_state(out, ev->state) < 0)
                return exa_buf_rollback(out, start);
            break;
        case BGPBUS__V1__EVENT__BODY_OPEN:
            exa_json_open(out, ev->open, ev->direction == BGPBUS__V1__DIRECTION__DIRECTION_SENT);
            break;
        case BGPBUS__V1__EVENT__BODY_NEGOTIATED:
            EXA_PUTS(out, ", \"negotiated\": ");
            exa_json_negotiated_object(out, ev->negotiated);
            break;
        case BGPBUS__V1__EVENT__BODY_UPDATE:
            EXA_PUTS(out, ", \"message\": ");
            exa_json_update(out, ev->update, ev->peer);
            break;
        case BGPBUS__V1__EVENT__BODY_EOR:
            /* SPEC 3.6: 4.2's valid form. */
            EXA_PUTS(out, ", \"message\": { \"eor\": { ");
            exa_json_family_members(out, ev->eor->family);
            EXA_PUTS(out, " } }");
            break;
        case BGPBUS__V1__EVENT__BODY_NOTIFICATION:
            exa_json_notification(out, ev->notification);
            break;
        case BGPBUS__V1__EVENT__BODY_KEEPALIVE: break;
        case BGPBUS__V1__EVENT__BODY_ROUTE_REFRESH: exa_json_refresh(out, ev->route_refresh); break;
        case BGPBUS__V1__EVENT__BODY_OPERATIONAL: exa_json_operational(out, ev->operational); break;
        default: return exa_buf_rollback(out, start);
        }
    }
    /* SPEC 3.11: the negotiated object follows "message" in update and packets events. */
    if ((opts & EXA_OPT_NEGOTIATED) && negotiated != NULL &&
        (form == EXA_PACKETS || ev->body_case == BGPBUS__V1__EVENT__BODY_UPDATE ||
         ev->body_case == BGPBUS__V1__EVENT__BODY_EOR)) {
        EXA_PUTS(out, ", \"negotiated\": ");
        exa_json_negotiated_object(out, negotiated);
    }
    exa_json_end(out);
    if (out->oom)
        return exa_buf_rollback(out, start);
    return 0;
}

int
exa_json_event(const Bgpbus__V1__Event *ev, const struct exa_env *env, uint64_t counter,
               enum exa_form form, unsigned opts, struct exa_buf *out)
{
    return exa_json_event_negotiated(ev, env, counter, form, opts, NULL, out);
}

int
exa_json_fsm(const Bgpbus__V1__Event *ev, const struct exa_env *env, uint64_t counter,
             struct exa_buf *out)
{
    size_t start = out->len;
    const char *name;

    if (ev->body_case != BGPBUS__V1__EVENT__BODY_STATE || ev->peer == NULL)
        return -1;
    name = exa_fsm_name(ev->state->current);
    if (name == NULL)
        return -1;
    exa_json_envelope(out, env, ev->has_time ? ev->time : 0, true, counter, "fsm");
    exa_json_neighbor(out, ev->peer, NULL);
    EXA_PUTS(out, ", \"state\": \"");
    exa_puts(out, name);
    exa_putc(out, '"');
    exa_json_end(out);
    if (out->oom)
        return exa_buf_rollback(out, start);
    return 0;
}

int
exa_json_signal(const Bgpbus__V1__PeerKey *peer, const Bgpbus__V1__SpeakerLifecycle *sig,
                double time, const struct exa_env *env, uint64_t counter, struct exa_buf *out)
{
    size_t start = out->len;

    if (peer == NULL || sig == NULL || !sig->has_signal_number)
        return -1;
    exa_json_envelope(out, env, time, true, counter, "signal");
    exa_json_neighbor(out, peer, NULL);
    /* SPEC 3.10: "code" is a string in ExaBGP. */
    EXA_PUTS(out, ", \"code\": \"");
    exa_put_i64(out, sig->signal_number);
    EXA_PUTS(out, "\", \"name\": ");
    exa_put_jstr(out, sig->signal_name != NULL ? sig->signal_name : "",
                 sig->signal_name != NULL ? strlen(sig->signal_name) : 0);
    exa_json_end(out);
    if (out->oom)
        return exa_buf_rollback(out, start);
    return 0;
}

void
exa_json_shutdown(const struct exa_env *env, struct exa_buf *out)
{
    struct timespec ts;
    double now = 0;

    if (env->time_override < 0 && clock_gettime(CLOCK_REALTIME, &ts) == 0)
        now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    /* SPEC 3.12: no counter, no neighbor. */
    exa_json_envelope(out, env, now, false, 0, "notification");
    EXA_PUTS(out, ", \"notification\": \"shutdown\" }\n");
}
