# fault.sh: shell helpers to run the scripted fault server from TAP test scripts.
# Source it (POSIX sh):  . "$top_srcdir/tests/faultserver/fault.sh"
#
#   fault_start SCRIPT|- [faultserver args...]
#       start the server in the background ('-': script read from standard input, e.g. a
#       heredoc); waits (at most FAULT_START_TIMEOUT, 5 s) for it to listen; sets
#       FAULT_PORT, FAULT_PID, FAULT_RECORD (client bytes), FAULT_LOG (transcript) and
#       FAULT_STDERR. Returns non-zero (and prints the server's complaint as TAP
#       comments) if the server did not come up.
#   fault_wait [SECONDS]
#       wait (at most SECONDS, default FAULT_WAIT_TIMEOUT or 30) for the server to exit;
#       returns its exit status (0 ok, 1 client misbehaved, 2 script error, 3 server
#       timeout), or 124 if it had to be killed.
#   fault_stop      kill the server (TERM, then KILL) and reap it
#   fault_mkcert [CN [NAME]]
#       make a throwaway CA and a leaf certificate for CN (default localhost, also valid
#       for IP 127.0.0.1); sets FAULT_CA, FAULT_CERT, FAULT_KEY. While FAULT_CERT and
#       FAULT_KEY are set, fault_start passes them as --tls-cert/--tls-key.
#   fault_record_has TEXT / fault_record_lacks TEXT
#       whether the client sent TEXT (fixed string, grep -F) on the last server's record
#   fault_diag      print the last server's stderr and log as TAP comments ("# ...")
#   fault_cleanup   stop every server started and remove the temp dir (runs on EXIT;
#                   a test that sets its own EXIT trap must call it there)
# FAULT_KEEP=1 keeps the temp dir (its path is printed) for debugging.

FAULT_PY=${FAULT_PY:-/usr/bin/python3}
FAULT_HOME=${FAULT_HOME:-${top_srcdir:-.}/tests/faultserver}
FAULT_DIR=
FAULT_PIDS=
FAULT_SEQ=0
FAULT_PID=
FAULT_PORT=
FAULT_RECORD=
FAULT_LOG=
FAULT_STDERR=

# create the per-test temp dir once
fault__init() {
	if [ -z "$FAULT_DIR" ]; then
		FAULT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/faultserver.XXXXXX") || return 1
	fi
}

# exit code 0 if process $1 is still running (a zombie counts as gone)
fault__alive() {
	[ -r "/proc/$1/stat" ] || return 1
	fault__st=
	read -r _ _ fault__st _ <"/proc/$1/stat" 2>/dev/null || return 1
	[ "$fault__st" != Z ]
}

fault_start() {
	if [ $# -lt 1 ]; then
		echo "# fault_start: missing script" >&2
		return 2
	fi
	fault__script=$1
	shift
	fault__init || return 1
	FAULT_SEQ=$((FAULT_SEQ + 1))
	if [ "$fault__script" = - ]; then
		fault__script=$FAULT_DIR/inline.$FAULT_SEQ.script
		cat >"$fault__script" || return 1
	fi
	FAULT_RECORD=$FAULT_DIR/record.$FAULT_SEQ
	FAULT_LOG=$FAULT_DIR/log.$FAULT_SEQ
	FAULT_STDERR=$FAULT_DIR/stderr.$FAULT_SEQ
	fault__pf=$FAULT_DIR/port.$FAULT_SEQ
	: >"$FAULT_RECORD"
	set -- --script "$fault__script" --port-file "$fault__pf" --record "$FAULT_RECORD" \
		--log "$FAULT_LOG" "$@"
	if [ -n "${FAULT_CERT:-}" ] && [ -n "${FAULT_KEY:-}" ]; then
		set -- --tls-cert "$FAULT_CERT" --tls-key "$FAULT_KEY" "$@"
	fi
	"$FAULT_PY" "$FAULT_HOME/faultserver.py" "$@" </dev/null >/dev/null 2>"$FAULT_STDERR" &
	FAULT_PID=$!
	FAULT_PIDS="$FAULT_PIDS $FAULT_PID"
	FAULT_PORT=
	fault__n=$(( ${FAULT_START_TIMEOUT:-5} * 20 ))
	while [ "$fault__n" -gt 0 ]; do
		if [ -s "$fault__pf" ]; then
			FAULT_PORT=$(cat "$fault__pf")
			return 0
		fi
		if ! fault__alive "$FAULT_PID"; then
			wait "$FAULT_PID"
			fault__rc=$?
			echo "# fault_start: server exited with status $fault__rc before listening" >&2
			fault_diag >&2
			return 1
		fi
		sleep 0.05
		fault__n=$((fault__n - 1))
	done
	echo "# fault_start: server did not listen within ${FAULT_START_TIMEOUT:-5} s" >&2
	fault_stop
	return 1
}

fault_wait() {
	[ -n "$FAULT_PID" ] || return 2
	fault__n=$(( ${1:-${FAULT_WAIT_TIMEOUT:-30}} * 20 ))
	while fault__alive "$FAULT_PID"; do
		if [ "$fault__n" -le 0 ]; then
			echo "# fault_wait: server $FAULT_PID still running, killing it" >&2
			fault_stop
			return 124
		fi
		sleep 0.05
		fault__n=$((fault__n - 1))
	done
	wait "$FAULT_PID"
}

fault_stop() {
	[ -n "$FAULT_PID" ] || return 0
	if fault__alive "$FAULT_PID"; then
		kill -TERM "$FAULT_PID" 2>/dev/null
		fault__n=40
		while fault__alive "$FAULT_PID" && [ "$fault__n" -gt 0 ]; do
			sleep 0.05
			fault__n=$((fault__n - 1))
		done
		if fault__alive "$FAULT_PID"; then
			kill -KILL "$FAULT_PID" 2>/dev/null
		fi
	fi
	wait "$FAULT_PID" 2>/dev/null
	return 0
}

fault_mkcert() {
	fault__init || return 1
	fault__cn=${1:-localhost}
	fault__d=$FAULT_DIR/certs-${2:-$fault__cn}
	mkdir -p "$fault__d" || return 1
	printf '%s\n' "subjectAltName=DNS:$fault__cn,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
		"keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
		>"$fault__d/leaf.ext"
	if ! { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 30 -subj "/CN=faultserver test CA ${2:-$fault__cn}" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout "$fault__d/ca.key" -out "$fault__d/ca.pem" &&
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-subj "/CN=$fault__cn" -keyout "$fault__d/leaf.key" -out "$fault__d/leaf.csr" &&
		openssl x509 -req -in "$fault__d/leaf.csr" -CA "$fault__d/ca.pem" \
			-CAkey "$fault__d/ca.key" -CAcreateserial -days 30 \
			-extfile "$fault__d/leaf.ext" -out "$fault__d/leaf.pem"; } >/dev/null 2>&1
	then
		echo "# fault_mkcert: openssl failed" >&2
		return 1
	fi
	FAULT_CA=$fault__d/ca.pem
	FAULT_CERT=$fault__d/leaf.pem
	FAULT_KEY=$fault__d/leaf.key
}

fault_record_has() {
	grep -a -F -q -e "$1" "$FAULT_RECORD"
}

fault_record_lacks() {
	! grep -a -F -q -e "$1" "$FAULT_RECORD"
}

fault_diag() {
	for fault__f in "$FAULT_STDERR" "$FAULT_LOG"; do
		[ -n "$fault__f" ] && [ -s "$fault__f" ] || continue
		echo "# --- $fault__f"
		tail -n 40 "$fault__f" | sed 's/^/# /'
	done
}

fault_cleanup() {
	for fault__p in $FAULT_PIDS; do
		if fault__alive "$fault__p"; then
			kill -KILL "$fault__p" 2>/dev/null
		fi
		wait "$fault__p" 2>/dev/null
	done
	FAULT_PIDS=
	if [ -n "$FAULT_DIR" ]; then
		if [ "${FAULT_KEEP:-0}" = 1 ]; then
			echo "# fault: kept $FAULT_DIR" >&2
		else
			[ "${MB_KEEP_TEST_FILES:-0}" = 1 ] || rm -rf "$FAULT_DIR"
		fi
		FAULT_DIR=
	fi
}

trap 'fault_cleanup' EXIT
trap 'fault_cleanup; exit 129' HUP
trap 'fault_cleanup; exit 130' INT
trap 'fault_cleanup; exit 143' TERM
