/*
 * tls.c: TLS for connections, with GnuTLS directly.
 *
 * Debian's libetpan handshakes with empty credentials and verifies nothing
 * (../docs/libetpan.md, section 7), so mailbench does TLS itself: the
 * handshake runs on the connection's non-blocking socket under its deadline
 * and cancel pipe; TLS 1.2 is the oldest version offered; SNI is sent; and
 * right after the handshake, before a single protocol byte (let alone a
 * credential) goes out, the chain is checked against the account's CA file
 * or the system store and the certificate against the host name. A failure
 * ends the session with the reason in plain words, unless the account says
 * tls_verify = no, in which case every transcript carries a warning.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailbench/buf.h"
#include "net/private.h"

/* TLS 1.2 and 1.3 only: older versions are refused */
#define TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

static bool
is_ip_literal(const char *host)
{
	unsigned char b[16];

	return inet_pton(AF_INET, host, b) == 1 || inet_pton(AF_INET6, host, b) == 1;
}

static void
fmt_time(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm);
}

/* A datum from a GnuTLS getter into a NUL-terminated string of ours. */
static void
datum_str(int r, gnutls_datum_t *d, char *out, size_t len)
{
	if (r < 0 || d->data == NULL) {
		snprintf(out, len, "?");
		return;
	}
	snprintf(out, len, "%.*s", (int)d->size, (const char *)d->data);
	gnutls_free(d->data);
	d->data = NULL;
}

/* The names a certificate is for: its DNS and IP subject alternative names. */
static void
cert_names(gnutls_x509_crt_t crt, struct mb_buf *out)
{
	char name[512];
	size_t size;
	unsigned idx;
	int type;

	for (idx = 0; idx < 32; idx++) {
		size = sizeof name - 1;
		type = gnutls_x509_crt_get_subject_alt_name(crt, idx, name, &size, NULL);
		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type == GNUTLS_SAN_DNSNAME) {
			name[size] = '\0';
			mb_buf_addf(out, "%s'%s'", out->len ? ", " : "", name);
		} else if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16)) {
			char ip[INET6_ADDRSTRLEN];

			inet_ntop(size == 4 ? AF_INET : AF_INET6, name, ip, sizeof ip);
			mb_buf_addf(out, "%s%s", out->len ? ", " : "", ip);
		}
	}
	if (out->len == 0)
		mb_buf_addstr(out, "no names");
}

/* Describe the leaf certificate in the transcript; keep it for the checks. */
static gnutls_x509_crt_t
show_certificate(struct mb_conn *c)
{
	const gnutls_datum_t *chain;
	unsigned n = 0;
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = {0};
	char subject[512], issuer[512], until[64], hex[3 * 32 + 1];
	unsigned char fp[32];
	size_t fplen = sizeof fp, i;

	chain = gnutls_certificate_get_peers(c->tls, &n);
	if (chain == NULL || n == 0)
		return NULL;
	if (gnutls_x509_crt_init(&crt) < 0)
		return NULL;
	if (gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(crt);
		return NULL;
	}
	datum_str(gnutls_x509_crt_get_dn3(crt, &d, 0), &d, subject, sizeof subject);
	datum_str(gnutls_x509_crt_get_issuer_dn3(crt, &d, 0), &d, issuer, sizeof issuer);
	fmt_time(gnutls_x509_crt_get_expiration_time(crt), until, sizeof until);
	hex[0] = '\0';
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp, &fplen) == 0)
		for (i = 0; i < fplen && i < 32; i++)
			snprintf(hex + 3 * i, 4, "%02X%s", fp[i], i + 1 < fplen ? ":" : "");
	mb_tap_note(c->tap, MB_TDIR_TLS, 0,
	            "certificate: %s (issued by %s), valid until %s, chain of %u", subject, issuer,
	            until, n);
	mb_tap_note(c->tap, MB_TDIR_TLS, 0, "certificate SHA-256 fingerprint: %s", hex);
	return crt;
}

/* Say in plain words why verification failed. */
static void
explain_status(struct mb_conn *c, unsigned status, gnutls_x509_crt_t crt, struct mb_buf *why)
{
	char when[64];

	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND) {
		if (crt != NULL && gnutls_x509_crt_check_issuer(crt, crt))
			mb_buf_addstr(why, "the certificate is self-signed");
		else
			mb_buf_addstr(why, "it is signed by an unknown certificate authority");
	}
	if (status & GNUTLS_CERT_EXPIRED) {
		fmt_time(crt ? gnutls_x509_crt_get_expiration_time(crt) : 0, when, sizeof when);
		mb_buf_addf(why, "%sit expired on %s", why->len ? "; " : "", when);
	}
	if (status & GNUTLS_CERT_NOT_ACTIVATED) {
		fmt_time(crt ? gnutls_x509_crt_get_activation_time(crt) : 0, when, sizeof when);
		mb_buf_addf(why, "%sit is not valid before %s", why->len ? "; " : "", when);
	}
	if (status & GNUTLS_CERT_UNEXPECTED_OWNER) {
		struct mb_buf names = MB_BUF_INIT;

		if (crt != NULL)
			cert_names(crt, &names);
		mb_buf_addf(why, "%sit is for %s, not for '%s'", why->len ? "; " : "",
		            names.len ? names.data : "other names", c->host);
		mb_buf_release(&names);
	}
	if (status & GNUTLS_CERT_REVOKED)
		mb_buf_addf(why, "%sit has been revoked", why->len ? "; " : "");
	if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		mb_buf_addf(why, "%sit uses an insecure algorithm", why->len ? "; " : "");
	if (status & GNUTLS_CERT_SIGNER_NOT_CA)
		mb_buf_addf(why, "%sits signer is not a CA", why->len ? "; " : "");
	if (status & GNUTLS_CERT_SIGNATURE_FAILURE)
		mb_buf_addf(why, "%sits signature is invalid", why->len ? "; " : "");
	if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
		mb_buf_addf(why, "%sit is not for TLS servers", why->len ? "; " : "");
	if (why->len == 0) {
		gnutls_datum_t out = {0};

		if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out,
		                                                 0) == 0) {
			mb_buf_add(why, out.data, out.size);
			gnutls_free(out.data);
		} else
			mb_buf_addstr(why, "verification failed");
	}
}

static int
verify(struct mb_conn *c, struct mb_error *err)
{
	gnutls_x509_crt_t crt = show_certificate(c);
	struct mb_buf why = MB_BUF_INIT;
	const char *anchors = c->ca_file ? c->ca_file : "the system's trusted CAs";
	unsigned status = 0;
	int r;

	r = gnutls_certificate_verify_peers3(c->tls, c->host, &status);
	if (r < 0) {
		mb_buf_addf(&why, "cannot verify: %s", gnutls_strerror(r));
		status = 1;
	} else if (crt == NULL) {
		mb_buf_addstr(&why, "the server sent no certificate");
		status = status ? status : 1;
	} else if (status != 0)
		explain_status(c, status, crt, &why);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);

	if (status == 0) {
		c->tls_verified = true;
		mb_tap_note(c->tap, MB_TDIR_TLS, 0,
		            "certificate verified: valid for '%s', chain trusted by %s%s", c->host,
		            c->ca_file ? "CA file " : "", anchors);
		mb_buf_release(&why);
		return 0;
	}
	if (!c->tls_verify) {
		mb_tap_note(c->tap, MB_TDIR_TLS, MB_TL_WARN,
		            "WARNING: certificate NOT verified (%s), continuing because this "
		            "account has tls_verify = no: anyone on the path could read and change "
		            "this session",
		            why.data);
		mb_buf_release(&why);
		return 0;
	}
	mb_error_set(err, MB_ERR_TLS, "certificate of '%s' not trusted: %s (checked against %s%s)",
	             c->host, why.data, c->ca_file ? "CA file " : "", anchors);
	mb_buf_release(&why);
	return mb_net_fail(c, err);
}

static int
setup(struct mb_conn *c, struct mb_error *err)
{
	const char *errpos = NULL;
	int r;

	if ((r = gnutls_certificate_allocate_credentials(&c->cred)) < 0)
		return mb_error_set(err, MB_ERR_TLS, "cannot set up TLS: %s", gnutls_strerror(r));
	if (c->ca_file != NULL) {
		r = gnutls_certificate_set_x509_trust_file(c->cred, c->ca_file,
		                                           GNUTLS_X509_FMT_PEM);
		if (r < 0)
			return mb_error_set(err, MB_ERR_TLS, "cannot read CA file '%s': %s",
			                    c->ca_file, gnutls_strerror(r));
		if (r == 0)
			return mb_error_set(err, MB_ERR_TLS, "no certificate in CA file '%s'",
			                    c->ca_file);
	} else if ((r = gnutls_certificate_set_x509_system_trust(c->cred)) < 0) {
		return mb_error_set(err, MB_ERR_TLS, "cannot load the system's trusted CAs: %s",
		                    gnutls_strerror(r));
	}
	if ((r = gnutls_init(&c->tls, GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL)) < 0) {
		c->tls = NULL;
		return mb_error_set(err, MB_ERR_TLS, "cannot set up TLS: %s", gnutls_strerror(r));
	}
	if ((r = gnutls_priority_set_direct(c->tls, TLS_PRIORITY, &errpos)) < 0 ||
	    (r = gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, c->cred)) < 0)
		return mb_error_set(err, MB_ERR_TLS, "cannot set up TLS: %s", gnutls_strerror(r));
	if (!is_ip_literal(c->host) && c->host[0] != '\0')
		gnutls_server_name_set(c->tls, GNUTLS_NAME_DNS, c->host, strlen(c->host));
	gnutls_transport_set_int(c->tls, c->fd);
	return 0;
}

int
mb_tls_handshake(struct mb_conn *c, struct mb_error *err)
{
	int64_t limit = mb_net_now_ms() + (int64_t)c->timeout * 1000;
	char *desc;
	int r;

	if (setup(c, err) < 0) {
		mb_tls_close(c);
		return mb_net_fail(c, err);
	}
	mb_tap_note(c->tap, MB_TDIR_TLS, 0, "TLS handshake with '%s' (TLS 1.2 or newer)", c->host);
	for (;;) {
		r = gnutls_handshake(c->tls);
		if (r == 0)
			break;
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
			short ev = gnutls_record_get_direction(c->tls) ? POLLOUT : POLLIN;

			if (mb_net_wait(c, ev, limit, "during the TLS handshake", err) < 0) {
				mb_tls_close(c);
				return mb_net_fail(c, err);
			}
			continue;
		}
		if (!gnutls_error_is_fatal(r))
			continue;
		if (r == GNUTLS_E_UNSUPPORTED_VERSION_PACKET ||
		    r == GNUTLS_E_NO_PRIORITIES_WERE_SET || r == GNUTLS_E_INSUFFICIENT_SECURITY)
			mb_error_set(
			        err, MB_ERR_TLS,
			        "TLS handshake with '%s' failed: %s (mailbench requires TLS 1.2 "
			        "or newer; the server may offer only older versions)",
			        c->host, gnutls_strerror(r));
		else if (r == GNUTLS_E_FATAL_ALERT_RECEIVED &&
		         gnutls_alert_get(c->tls) == GNUTLS_A_PROTOCOL_VERSION)
			mb_error_set(
			        err, MB_ERR_TLS,
			        "TLS handshake with '%s' failed: the server refused every TLS "
			        "version mailbench offers (alert '%s'): mailbench requires TLS "
			        "1.2 or newer, and the server may offer only older versions",
			        c->host, gnutls_alert_get_name(gnutls_alert_get(c->tls)));
		else if (r == GNUTLS_E_FATAL_ALERT_RECEIVED)
			mb_error_set(err, MB_ERR_TLS,
			             "TLS handshake with '%s' failed: the server sent alert '%s'",
			             c->host, gnutls_alert_get_name(gnutls_alert_get(c->tls)));
		else
			mb_error_set(err, MB_ERR_TLS, "TLS handshake with '%s' failed: %s", c->host,
			             gnutls_strerror(r));
		mb_tls_close(c);
		return mb_net_fail(c, err);
	}
	desc = gnutls_session_get_desc(c->tls);
	snprintf(c->tls_desc, sizeof c->tls_desc, "%s",
	         gnutls_protocol_get_name(gnutls_protocol_get_version(c->tls)));
	mb_tap_note(c->tap, MB_TDIR_TLS, 0, "TLS established: %s", desc ? desc : c->tls_desc);
	gnutls_free(desc);
	return verify(c, err);
}

ssize_t
mb_tls_recv(struct mb_conn *c, void *buf, size_t len, struct mb_error *err)
{
	ssize_t r;

	for (;;) {
		r = gnutls_record_recv(c->tls, buf, len);
		if (r >= 0)
			return r;
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
			if (mb_net_wait(c, POLLIN, 0, "waiting for the server", err) < 0)
				return -1;
			continue;
		}
		if (r == GNUTLS_E_PREMATURE_TERMINATION)
			return 0; /* closed without close_notify: an EOF like any other */
		if (!gnutls_error_is_fatal((int)r))
			continue;
		mb_error_set(err, MB_ERR_CONN, "TLS connection to '%s' failed: %s", c->host,
		             gnutls_strerror((int)r));
		return -1;
	}
}

ssize_t
mb_tls_send(struct mb_conn *c, const void *buf, size_t len, struct mb_error *err)
{
	ssize_t r;

	for (;;) {
		r = gnutls_record_send(c->tls, buf, len);
		if (r >= 0)
			return r;
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
			if (mb_net_wait(c, POLLOUT, 0, "sending to the server", err) < 0)
				return -1;
			continue;
		}
		mb_error_set(err, MB_ERR_CONN, "TLS connection to '%s' failed: %s", c->host,
		             gnutls_strerror((int)r));
		return -1;
	}
}

void
mb_tls_close(struct mb_conn *c)
{
	if (c->tls != NULL) {
		if (c->fd >= 0 && c->err.kind == MB_OK)
			gnutls_bye(c->tls, GNUTLS_SHUT_WR); /* best effort, non-blocking */
		gnutls_deinit(c->tls);
		c->tls = NULL;
	}
	if (c->cred != NULL) {
		gnutls_certificate_free_credentials(c->cred);
		c->cred = NULL;
	}
}
