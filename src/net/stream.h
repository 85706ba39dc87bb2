/*
 * stream.h: a connection as a libetpan stream, for the sessions that let
 * libetpan speak the protocol (IMAP). Internal to src/net and src/proto:
 * no libetpan type crosses include/mailbench.
 */
#ifndef MAILBENCH_NET_STREAM_H
#define MAILBENCH_NET_STREAM_H

#include <libetpan/libetpan.h>

#include "mailbench/net.h"

/*
 * A mailstream whose low layer is the connection: libetpan's buffering
 * and parsers on top, mailbench's TLS, limits, deadline, cancel and tap
 * below. mailstream_close() it before mb_conn_free(); closing it leaves the
 * connection open. A STARTTLS upgrade (mb_conn_start_tls) happens under it,
 * with no stream swap.
 */
mailstream *mb_conn_mailstream(struct mb_conn *c);

#endif
