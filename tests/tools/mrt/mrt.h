/*
 * MRT reader (RFC 6396, RFC 8050 ADD-PATH subtypes): records from plain, gzip or bzip2 files,
 * and parsers for the record bodies the speaker cares about. The BGP content (UPDATEs, RIB
 * attributes) is left to the speaker's own codec.
 */
#ifndef BGPBUS_TOOLS_MRT_H
#define BGPBUS_TOOLS_MRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 6396 4. */
enum mrt_type {
    MRT_TABLE_DUMP = 12,
    MRT_TABLE_DUMP_V2 = 13,
    MRT_BGP4MP = 16,
    MRT_BGP4MP_ET = 17,
};

/* RFC 6396 4.3, RFC 8050 4. */
enum mrt_td2_subtype {
    MRT_TD2_PEER_INDEX_TABLE = 1,
    MRT_TD2_RIB_IPV4_UNICAST = 2,
    MRT_TD2_RIB_IPV4_MULTICAST = 3,
    MRT_TD2_RIB_IPV6_UNICAST = 4,
    MRT_TD2_RIB_IPV6_MULTICAST = 5,
    MRT_TD2_RIB_GENERIC = 6,
    MRT_TD2_RIB_IPV4_UNICAST_ADDPATH = 8,
    MRT_TD2_RIB_IPV4_MULTICAST_ADDPATH = 9,
    MRT_TD2_RIB_IPV6_UNICAST_ADDPATH = 10,
    MRT_TD2_RIB_IPV6_MULTICAST_ADDPATH = 11,
    MRT_TD2_RIB_GENERIC_ADDPATH = 12,
};

/* RFC 6396 4.4, RFC 8050 3. */
enum mrt_bgp4mp_subtype {
    MRT_BGP4MP_STATE_CHANGE = 0,
    MRT_BGP4MP_MESSAGE = 1,
    MRT_BGP4MP_MESSAGE_AS4 = 4,
    MRT_BGP4MP_STATE_CHANGE_AS4 = 5,
    MRT_BGP4MP_MESSAGE_LOCAL = 6,
    MRT_BGP4MP_MESSAGE_AS4_LOCAL = 7,
    MRT_BGP4MP_MESSAGE_ADDPATH = 8,
    MRT_BGP4MP_MESSAGE_AS4_ADDPATH = 9,
    MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH = 10,
    MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH = 11,
};

struct mrt_record {
    uint32_t timestamp;
    uint32_t usec; /* _ET types only (RFC 6396 3) */
    uint16_t type;
    uint16_t subtype;
    const uint8_t *body; /* valid until the next mrt_next() */
    size_t len;
};

struct mrt_reader;

/* Opens a file; gzip and bzip2 input (by magic number) are read through `gzip -dc` /
 * `bzip2 -dc`. Returns NULL with errno set on failure. */
struct mrt_reader *mrt_open(const char *path);
/* 1: a record; 0: end of data; -1: error (see mrt_error()). A record cut short at the end of
 * the file ends the data (truncated dumps are common) and is reported by mrt_truncated(). */
int mrt_next(struct mrt_reader *r, struct mrt_record *rec);
bool mrt_truncated(const struct mrt_reader *r);
const char *mrt_error(const struct mrt_reader *r);
/* Closes and reaps the decompressor; returns its exit status (0 for plain files). */
int mrt_close(struct mrt_reader *r);

struct mrt_addr {
    bool ipv6;
    uint8_t addr[16];
};

struct mrt_peer {
    uint32_t bgp_id;
    uint32_t as;
    struct mrt_addr ip;
};

/* TABLE_DUMP_V2 PEER_INDEX_TABLE (RFC 6396 4.3.1). peers are malloc'd; free with free(). */
struct mrt_peer_index {
    uint32_t collector_id;
    uint16_t count;
    struct mrt_peer *peers;
};

int mrt_peer_index_parse(const struct mrt_record *rec, struct mrt_peer_index *out);

/* TABLE_DUMP_V2 RIB_* (RFC 6396 4.3.2-4.3.3, RFC 8050 4). */
struct mrt_rib {
    uint32_t seq;
    uint16_t afi;
    uint8_t safi;
    bool addpath;
    const uint8_t *nlri; /* the prefix as in an UPDATE: length octet and address octets */
    size_t nlri_len;
    uint16_t entry_count;
    const uint8_t *entries; /* iterate with mrt_rib_next_entry() */
    size_t entries_len;
};

struct mrt_rib_entry {
    uint16_t peer_index;
    uint32_t originated;
    uint32_t path_id;
    const uint8_t *attrs;
    size_t attrs_len;
};

int mrt_rib_parse(const struct mrt_record *rec, struct mrt_rib *out);
/* 1: an entry; 0: no more; -1: malformed. *pos starts at 0. */
int mrt_rib_next_entry(const struct mrt_rib *rib, size_t *pos, struct mrt_rib_entry *out);

/* BGP4MP / BGP4MP_ET (RFC 6396 4.4). */
struct mrt_bgp4mp {
    bool as4;
    bool addpath;
    bool local; /* MESSAGE_LOCAL: sent by the recorder, not received */
    bool state_change;
    uint32_t peer_as;
    uint32_t local_as;
    uint16_t ifindex;
    uint16_t afi;
    struct mrt_addr peer_ip;
    struct mrt_addr local_ip;
    uint16_t old_state, new_state; /* state_change */
    const uint8_t *msg;            /* a whole BGP message, header included */
    size_t msg_len;
};

/* Returns 0, -1 when malformed, 1 for a subtype this reader does not know. */
int mrt_bgp4mp_parse(const struct mrt_record *rec, struct mrt_bgp4mp *out);

/* Legacy TABLE_DUMP (RFC 6396 4.2): one route per record, 2-octet AS numbers. */
struct mrt_table_dump {
    uint16_t view;
    uint16_t seq;
    uint16_t afi;
    uint8_t prefix[16];
    uint8_t prefix_len;
    uint8_t status;
    uint32_t originated;
    struct mrt_addr peer_ip;
    uint16_t peer_as;
    const uint8_t *attrs;
    size_t attrs_len;
};

int mrt_table_dump_parse(const struct mrt_record *rec, struct mrt_table_dump *out);

#endif
