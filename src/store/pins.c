/*
 * pins.c: certificates the user accepted by fingerprint (SHA-256, hex) for
 * a host and port, for servers whose certificate does not verify (the
 * lab's throwaway CA is verified normally; a pin is the user's explicit
 * choice). net/ compares a server's fingerprint against these.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mailbench/xalloc.h"
#include "store/private.h"

/* A pin's fingerprint must be 64 hex digits (colons between pairs are dropped). */
static char *
normal_fingerprint(const char *in)
{
	char *out = xcalloc(65, 1);
	size_t n = 0;

	for (; in != NULL && *in != '\0'; in++) {
		if (*in == ':')
			continue;
		if (n == 64 || !((*in >= '0' && *in <= '9') || (*in >= 'a' && *in <= 'f') ||
		                 (*in >= 'A' && *in <= 'F'))) {
			free(out);
			return NULL;
		}
		out[n++] = (char)(*in >= 'A' && *in <= 'F' ? *in - 'A' + 'a' : *in);
	}
	if (n != 64) {
		free(out);
		return NULL;
	}
	return out;
}

/* Run a pin statement (host, port, fingerprint) that writes, in its own transaction. */
static int
pin_write(struct mb_store *st, const char *sql, const char *host, int port, const char *fp,
          const char *what, struct mb_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (mb_store_begin(st, err) < 0)
		return -1;
	s = store_stmt(st, sql, err);
	if (s == NULL)
		goto fail;
	store_bind_text(s, 1, host);
	sqlite3_bind_int(s, 2, port);
	store_bind_text(s, 3, fp);
	sqlite3_bind_int64(s, 4, store_now());
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, what);
		goto fail;
	}
	return mb_store_commit(st, err);
fail:
	mb_store_rollback(st);
	return -1;
}

int
mb_store_pin_add(struct mb_store *st, const char *host, int port, const char *sha256,
                 struct mb_error *err)
{
	char *fp = normal_fingerprint(sha256);
	int ret;

	if (fp == NULL)
		return mb_error_set(err, MB_ERR_INPUT,
		                    "cannot pin '%s': a SHA-256 fingerprint is 64 hex digits",
		                    sha256 != NULL ? sha256 : "");
	if (host == NULL || host[0] == '\0') {
		free(fp);
		return mb_error_set(err, MB_ERR_INPUT, "cannot pin a certificate without a host");
	}
	ret = pin_write(st,
	                "INSERT INTO cert_pins(host, port, sha256, accepted_at) "
	                "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	                host, port, fp, "cannot pin a certificate", err);
	free(fp);
	return ret;
}

int
mb_store_pin_find(struct mb_store *st, const char *host, int port, const char *sha256, bool *found,
                  struct mb_error *err)
{
	char *fp = normal_fingerprint(sha256);
	sqlite3_stmt *s;
	int rc;

	*found = false;
	if (fp == NULL)
		return 0; /* not a fingerprint: pinned nowhere */
	s = store_stmt(st, "SELECT 1 FROM cert_pins WHERE host = ? AND port = ? AND sha256 = ?",
	               err);
	if (s == NULL) {
		free(fp);
		return -1;
	}
	store_bind_text(s, 1, host);
	sqlite3_bind_int(s, 2, port);
	store_bind_text(s, 3, fp);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	free(fp);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, err, rc, "cannot look up a certificate pin");
	*found = rc == SQLITE_ROW;
	return 0;
}

int
mb_store_pin_list(struct mb_store *st, const char *host, int port, char ***sha256s, size_t *n,
                  struct mb_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 1;
	int rc;

	*n = 0;
	*sha256s = xcalloc(cap, sizeof **sha256s);
	s = store_stmt(st,
	               "SELECT sha256 FROM cert_pins WHERE host = ? AND port = ? "
	               "ORDER BY accepted_at, sha256",
	               err);
	if (s == NULL)
		goto fail;
	store_bind_text(s, 1, host);
	sqlite3_bind_int(s, 2, port);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n + 1 >= cap) {
			cap *= 2;
			*sha256s = xreallocarray(*sha256s, cap, sizeof **sha256s);
		}
		(*sha256s)[(*n)++] = store_col_str(s, 0);
		(*sha256s)[*n] = NULL;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, rc, "cannot list certificate pins");
		goto fail;
	}
	return 0;
fail:
	mb_strv_free(*sha256s);
	*sha256s = NULL;
	*n = 0;
	return -1;
}

int
mb_store_pin_remove(struct mb_store *st, const char *host, int port, const char *sha256,
                    struct mb_error *err)
{
	char *fp = normal_fingerprint(sha256);
	int ret;

	if (fp == NULL)
		return mb_error_set(err, MB_ERR_NOTFOUND, "no pin '%s' for '%s:%d'",
		                    sha256 != NULL ? sha256 : "", host != NULL ? host : "", port);
	ret = pin_write(st,
	                "DELETE FROM cert_pins WHERE host = ?1 AND port = ?2 AND sha256 = ?3 "
	                "AND ?4 IS NOT NULL",
	                host, port, fp, "cannot remove a certificate pin", err);
	free(fp);
	return ret;
}
