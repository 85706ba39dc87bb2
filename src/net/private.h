/*
 * private.h: what src/net's files share about a connection.
 */
#ifndef MAILBENCH_NET_PRIVATE_H
#define MAILBENCH_NET_PRIVATE_H

#include <gnutls/gnutls.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mailbench/buf.h"
#include "mailbench/error.h"
#include "mailbench/net.h"
#include "mailbench/tap.h"

struct mb_conn {
	enum mb_proto proto;
	char *ca_file;
	bool tls_verify;
	int timeout; /* seconds, connect and handshake */

	int fd;
	int cancel_pipe[2];
	atomic_bool cancelled;
	char host[256]; /* as given: checked against the certificate */
	char peer[80];  /* "127.0.0.1:10587" */
	char local[64]; /* "127.0.0.1" */

	gnutls_session_t tls;
	gnutls_certificate_credentials_t cred;
	bool tls_verified;
	char tls_desc[128];

	struct mb_tap *tap;

	struct mb_buf rbuf; /* received, not yet consumed: rbuf.data[rpos..] */
	size_t rpos;
	bool eof;
	struct mb_buf wbuf; /* written, not yet flushed */

	int64_t deadline_ms; /* monotonic; 0: none */
	int deadline_s;      /* what it was set to, for messages */

	struct mb_error err; /* the first error met */
	uint64_t bytes_in, bytes_out;
};

/* Monotonic milliseconds. */
int64_t mb_net_now_ms(void);

/*
 * Wait until fd is ready for events (POLLIN/POLLOUT), the connection's
 * deadline (or limit_ms, whichever comes first; 0: none) passes, or it is
 * cancelled. Returns 0 when ready, -1 with err set otherwise (the caller
 * records it with mb_net_fail()).
 */
int mb_net_wait(struct mb_conn *c, short events, int64_t limit_ms, const char *what,
                struct mb_error *err);

/* Record err as the connection's first error and note it in the transcript. */
int mb_net_fail(struct mb_conn *c, struct mb_error *err);

/* TLS (tls.c): handshake and verification on c->fd; c->tls is set on success. */
int mb_tls_handshake(struct mb_conn *c, struct mb_error *err);
ssize_t mb_tls_recv(struct mb_conn *c, void *buf, size_t len, struct mb_error *err);
ssize_t mb_tls_send(struct mb_conn *c, const void *buf, size_t len, struct mb_error *err);
void mb_tls_close(struct mb_conn *c);

/* Raw I/O for the libetpan bridge (stream.c): at most len bytes, 0 at EOF, -1 on error. */
ssize_t mb_conn_read_some(struct mb_conn *c, void *buf, size_t len, struct mb_error *err);
int mb_conn_send_now(struct mb_conn *c, const void *data, size_t len, bool private,
                     struct mb_error *err);

#endif
