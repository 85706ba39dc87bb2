#!/bin/bash
# tls_version.sh: a server that speaks only TLS 1.1 (openssl s_server -tls1_1 on loopback,
# with a certificate the client trusts) must be refused: mailbench requires TLS 1.2 or
# newer (issue 3 item 1). SMTPS and IMAPS. Checks the exit status (5), that the error names
# the TLS version, and that nothing was stored or marked sent.
set -u
# shellcheck source=tests/integration/fault_lib.sh
. "${top_srcdir:?run me from make check}/tests/integration/fault_lib.sh"

SSL_PID=
SSL_PORT=
# shellcheck disable=SC2317 # the EXIT trap
cleanup()
{
	if [ -n "$SSL_PID" ]; then
		kill "$SSL_PID" 2>/dev/null
		wait "$SSL_PID" 2>/dev/null
	fi
	fault_cleanup
}
trap cleanup EXIT

# a free port on 127.0.0.1 (the kernel's choice)
free_port()
{
	"$FL_PY" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ssl_start: openssl s_server on TLS 1.1 only; 0 when it listens
ssl_start()
{
	SSL_PORT=$(free_port)
	timeout 60 openssl s_server -accept "127.0.0.1:$SSL_PORT" -cert "$FAULT_CERT" \
		-key "$FAULT_KEY" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -quiet \
		</dev/null >"$FAULT_DIR/s_server.out" 2>"$FAULT_DIR/s_server.err" &
	SSL_PID=$!
	for _ in $(seq 1 50); do
		if "$FL_PY" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$SSL_PORT" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# ssl_probe VERSION-FLAG: the protocol openssl s_client negotiates with the server (a
# cipher was agreed), or ''
ssl_probe()
{
	timeout 10 openssl s_client -connect "127.0.0.1:$SSL_PORT" "$1" \
		-cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>/dev/null | awk '
		/^ *Protocol *:/ { p = $3 }
		/^ *Cipher *:/ { c = $3 }
		END { if (c != "" && c != "0000" && c != "(NONE)") print p }'
}

fault_mkcert localhost tls11 || tap_bail "cannot make a certificate with openssl"

can=0
if ssl_start; then
	v11=$(ssl_probe -tls1_1)
	v12=$(ssl_probe -tls1_2)
	if [ "$v11" = TLSv1.1 ] && [ -z "$v12" ]; then
		can=1
	fi
	t_diag "openssl s_server -tls1_1: a TLS 1.1 client gets '$v11', a TLS 1.2 client gets '${v12:-nothing}'"
fi

if [ "$can" = 0 ]; then
	# the local OpenSSL cannot serve TLS 1.1 (built without it, or policy): say so plainly
	t_diag "$(head -n 5 "$FAULT_DIR/s_server.err" 2>/dev/null)"
	t_n=$((t_n + 1))
	echo "ok $t_n # SKIP this machine's openssl cannot run a TLS 1.1-only server"
	fl_done "TLS version"
fi

for proto in smtp imap; do
	case_begin "$proto over TLS 1.1 only"
	if [ "$proto" = smtp ]; then
		mb_config smtp_host=localhost "smtp_port=$SSL_PORT" smtp_security=tls \
			"ca_file=$FAULT_CA"
		mb_send
	else
		mb_config imap_host=localhost "imap_port=$SSL_PORT" imap_security=tls \
			"ca_file=$FAULT_CA"
		mb_fetch imap
	fi
	t_no_crash
	t_rc 5
	t_err_said 'handshake.*failed' "the error says the TLS handshake failed"
	t_err_said 'TLS 1\.2|version' "the error names the TLS version as the reason"
	t_not_said 'TLS established' "no TLS session was established"
	if [ "$proto" = smtp ]; then
		t_outbox_unsent
		t_outbox_kind tls
	else
		t_is "$(sql 'SELECT count(*) FROM messages')" 0 "nothing stored"
	fi
	t_integrity
	case_end
done

fl_done "TLS version"
