/*
 * bus_seq: what an Event's (epoch, sequence) pair says about the events before it.
 *
 * The speaker draws a random epoch at start and numbers its Events 1, 2, 3, ... within it.
 * PUB/SUB drops silently, so a subscriber learns of loss only here: a jump in the sequence is a
 * gap to fetch from the speaker's replay ring; a new epoch is a restart, after which the
 * subscriber's view of the speaker's state is stale. Payload-agnostic: the caller decodes.
 */
#include "bus.h"

void
bus_seq_init(struct bus_seq *t)
{
    *t = (struct bus_seq){ 0 };
}

enum bus_seq_result
bus_seq_feed(struct bus_seq *t, uint64_t epoch, uint64_t seq)
{
    if (!t->started) {
        t->started = true;
        t->epoch = epoch;
        t->last = seq;
        return BUS_SEQ_FIRST;
    }
    if (epoch != t->epoch) {
        t->epoch = epoch;
        t->last = seq;
        t->restarts++;
        return BUS_SEQ_RESTART;
    }
    if (seq <= t->last) {
        t->duplicates++;
        return BUS_SEQ_DUPLICATE;
    }
    /* seq > last, so last + 1 cannot overflow. */
    if (seq != t->last + 1) {
        t->gap_first = t->last + 1;
        t->gap_last = seq - 1;
        t->gaps++;
        t->missing += t->gap_last - t->gap_first + 1;
        t->last = seq;
        return BUS_SEQ_GAP;
    }
    t->last = seq;
    return BUS_SEQ_OK;
}

const char *
bus_seq_result_name(enum bus_seq_result r)
{
    switch (r) {
    case BUS_SEQ_OK: return "ok";
    case BUS_SEQ_FIRST: return "first";
    case BUS_SEQ_GAP: return "gap";
    case BUS_SEQ_RESTART: return "restart";
    case BUS_SEQ_DUPLICATE: return "duplicate";
    }
    return "unknown";
}
