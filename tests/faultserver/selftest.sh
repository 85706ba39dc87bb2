#!/bin/sh
# selftest.sh: TAP self-test of the scripted fault server (tests/faultserver): every command
# of the script language against a tiny client (fsclient.py) or Python's own smtplib,
# imaplib and poplib, the exit statuses, the record file, TLS with a throwaway CA, and a
# --check of every script in scripts/. Bounded: every server runs with a short --timeout.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
export top_srcdir
. "$top_srcdir/tests/faultserver/fault.sh"

T=0
# fsc PORT OP...: run the test client
fsc() {
	"$FAULT_PY" "$FAULT_HOME/fsclient.py" "$@"
}

# pass|fail DESC
report() {
	T=$((T + 1))
	if [ "$1" = pass ]; then
		echo "ok $T - $2"
	else
		echo "not ok $T - $2"
		fault_diag
	fi
}

# is ACTUAL EXPECTED DESC
is() {
	if [ "$1" = "$2" ]; then
		report pass "$3"
	else
		report fail "$3"
		printf '%s\n' "$1" | sed 's/^/#   got:      /'
		printf '%s\n' "$2" | sed 's/^/#   expected: /'
	fi
}

# check COMMAND... DESC: passes if the command (run in this shell) succeeds
check() {
	eval "c_desc=\${$#}"
	c_n=$#
	c_i=1
	for c_a do
		[ "$c_i" -eq 1 ] && set --
		[ "$c_i" -lt "$c_n" ] && set -- "$@" "$c_a"
		c_i=$((c_i + 1))
	done
	if "$@"; then
		report pass "$c_desc"
	else
		report fail "$c_desc"
	fi
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# run_check SCRIPT-TEXT: exit status of --check on a script given on stdin
run_check() {
	"$FAULT_PY" "$FAULT_HOME/faultserver.py" --check --script - >/dev/null 2>&1
}

# --- every library script parses -------------------------------------------------------
for f in "$FAULT_HOME"/scripts/*.script; do
	"$FAULT_PY" "$FAULT_HOME/faultserver.py" --check --script "$f" >/dev/null 2>&1
	is "$?" 0 "--check accepts scripts/$(basename "$f")"
done

# --- every file under scripts/ is distributed --------------------------------------------
missing=
fault__init
sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*\\$//' "$FAULT_HOME/local.mk" >"$FAULT_DIR/listed"
for f in $(cd "$FAULT_HOME" && find scripts -type f | LC_ALL=C sort); do
	grep -qxF "tests/faultserver/$f" "$FAULT_DIR/listed" || missing="$missing $f"
done
is "$missing" "" "local.mk lists every file under scripts/ in EXTRA_DIST"

# --- script errors: exit 2 ----------------------------------------------------------------
printf 'SEND hi\nFROB x\n' | run_check
is "$?" 2 "--check: unknown command -> 2"
printf 'EXPECT ^(unclosed\n' | run_check
is "$?" 2 "--check: bad regex -> 2"
printf 'SEND hi\nCLOSE\nSEND after\n' | run_check
is "$?" 2 "--check: a command after CLOSE -> 2"
printf 'CLOSE\nACCEPT\nSEND ok\n' | run_check
is "$?" 0 "--check: ACCEPT reopens after CLOSE"
printf 'SERVE\n' | run_check
is "$?" 2 "--check: SERVE without ON -> 2"
printf 'ON ^x\nSEND y\n' | run_check
is "$?" 2 "--check: ON without END -> 2"
printf 'REPEAT 10000001 SEND x\n' | run_check
is "$?" 2 "--check: REPEAT above its bound -> 2"
printf 'REPEAT 3 CLOSE\n' | run_check
is "$?" 2 "--check: REPEAT of a closing command -> 2"
printf 'BIG 2G x\n' | run_check
is "$?" 2 "--check: BIG above its bound -> 2"
printf 'DONE\n' | run_check
is "$?" 2 "--check: DONE outside ON -> 2"
printf 'SEND \\x4\n' | run_check
is "$?" 2 "--check: bad \\x escape -> 2"
printf 'SENDFILE /nonexistent/faultserver-file\n' | run_check
is "$?" 2 "--check: SENDFILE of a missing file -> 2"
printf 'SEND hi\nCONNECTIONS 2\n' | run_check
is "$?" 2 "--check: CONNECTIONS after I/O -> 2"
"$FAULT_PY" "$FAULT_HOME/faultserver.py" --port 0 >/dev/null 2>&1
is "$?" 2 "usage: no --script -> 2"
echo 'TLS' >"${TMPDIR:-/tmp}/fs-selftest-tls.$$"
"$FAULT_PY" "$FAULT_HOME/faultserver.py" --script "${TMPDIR:-/tmp}/fs-selftest-tls.$$" \
	--timeout 2 >/dev/null 2>&1
is "$?" 2 "TLS without --tls-cert -> 2 at start"
rm -f "${TMPDIR:-/tmp}/fs-selftest-tls.$$"

fault_start - --timeout 10 <<'EOF' 2>/dev/null
SEND hi
FROB
EOF
is "$?" 1 "fault_start returns 1 when the server cannot start (script error)"
check grep -q "inline.*:2: unknown command 'FROB'" "$FAULT_STDERR" "...and FAULT_STDERR says why"

# --- SEND / SENDLF / RAW / escapes / variables --------------------------------------------
fault_start - --timeout 10 --set WHO=tester <<'EOF'
SEND a\tb ${WHO} \$x
SENDLF lf-only
RAW raw\x00nul\r\xff\\end
SEND
SEND \Seen \* kept
CLOSE
EOF
out=$(fsc "$FAULT_PORT" all)
is "$out" "$(printf '%s%s\n%s' 'a\tb tester $x\r\nlf-only\nraw\x00nul\r\xff\\end\r\n' \
	'\\Seen \\* kept\r\n' EOF)" \
	"SEND/SENDLF/RAW send exact bytes (escapes, --set, empty SEND, verbatim \\Seen)"
fault_wait 10
is "$?" 0 "...and the server exits 0"

# --- EXPECT: groups, named groups, mismatch -------------------------------------------------
fault_start - --timeout 10 <<'EOF'
SEND * OK hi
EXPECT ^(\S+) (?i:LOGIN) (?P<user>\S+)
SEND ${1} OK LOGIN as ${user}
EXPECT ^(\S+) LOGOUT
CAPTURE num ^A(\d+)
SEND ${1} OK bye ${num} ${user}
CLOSE
EOF
out=$(fsc "$FAULT_PORT" line send:'A001 login joe secret\r\n' line send:'A002 LOGOUT\r\n' line)
is "$out" "$(printf '%s\n' '* OK hi\r\n' 'A001 OK LOGIN as joe\r\n' 'A002 OK bye 002 joe\r\n')" \
	"EXPECT groups as \${1}, named groups and CAPTURE as variables"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start - --timeout 10 <<'EOF'
SEND 220 hi
# the client will send HELO, not EHLO
EXPECT ^EHLO\s
SEND 250 never
EOF
fsc "$FAULT_PORT" line send:'HELO x\r\n' all >/dev/null
fault_wait 10
is "$?" 1 "EXPECT mismatch -> exit 1"
check grep -q ':3: EXPECT /^EHLO\\s/ got .HELO x' "$FAULT_STDERR" \
	"...and stderr names the script line and the line received"

# --- pipelined lines: one per EXPECT --------------------------------------------------------
fault_start - --timeout 10 <<'EOF'
EXPECT ^ONE$
SEND 1
EXPECT ^TWO$
SEND 2
EXPECT ^THREE$
SEND 3
EOF
out=$(fsc "$FAULT_PORT" send:'ONE\r\nTWO\r\nTHREE\r\n' line line line)
is "$out" "$(printf '%s\n' '1\r\n' '2\r\n' '3\r\n')" \
	"three pipelined lines in one segment, one per EXPECT"
fault_wait 10
is "$?" 0 "...and the server exits 0"

# --- CRLF required ----------------------------------------------------------------------------
fault_start - --timeout 10 <<'EOF'
EXPECT-ANY
SEND no
EOF
fsc "$FAULT_PORT" send:'BARE LF\n' all >/dev/null
fault_wait 10
is "$?" 1 "a client line ended by a bare LF -> exit 1"

# --- unexpected close / MAY-CLOSE -----------------------------------------------------------
fault_start - --timeout 10 <<'EOF'
SEND 220 hi
EXPECT ^EHLO
EOF
fsc "$FAULT_PORT" line close >/dev/null
fault_wait 10
is "$?" 1 "client closes before an EXPECT -> exit 1"
check grep -q 'closed the connection' "$FAULT_STDERR" "...and stderr says the client closed"

fault_start - --timeout 10 <<'EOF'
SEND 220 hi
MAY-CLOSE
EXPECT ^EHLO
SEND 250 never sent
EOF
fsc "$FAULT_PORT" line close >/dev/null
fault_wait 10
is "$?" 0 "client closes after MAY-CLOSE -> exit 0"

fault_start - --timeout 10 <<'EOF'
SEND 220 hi
EXPECT ^(?i:EHLO)
SEND 250 ok
EXPECT ^(?i:EHLO)
EOF
fsc "$FAULT_PORT" line send:'EHLO x\r\nEHL' line close >/dev/null
fault_wait 10
is "$?" 1 "client closes in the middle of a line -> exit 1"
check grep -q "partial line 'EHL'" "$FAULT_STDERR" "...and stderr shows the partial line"

# --- TRICKLE ------------------------------------------------------------------------------------
fault_start - --timeout 10 <<'EOF'
TRICKLE 0.1 abcde
CLOSE
EOF
out=$(fsc "$FAULT_PORT" timed-line)
check awk -v t="$out" 'BEGIN { exit !(t >= 0.55 && t < 3.0) }' \
	"TRICKLE 0.1 of 7 bytes takes 0.6 s (took $out s)"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start - --timeout 10 <<'EOF'
MAY-CLOSE
TRICKLE 0.2 this would take a long time to send
SEND never
EOF
t0=$(now_ms)
fsc "$FAULT_PORT" read:3 close >/dev/null
fault_wait 10
rc=$?
el=$(($(now_ms) - t0))
is "$rc" 0 "TRICKLE notices the client leaving (MAY-CLOSE) -> exit 0"
check test "$el" -lt 3000 "...within 3 s (took $el ms)"

# --- SPLIT ---------------------------------------------------------------------------------------
fault_start - --timeout 10 <<'EOF'
SPLIT 4 abcdefghij
SLEEP 0.1
SPLIT-RAW 2 xyz
CLOSE
EOF
out=$(fsc "$FAULT_PORT" chunks)
check awk -v c="$out" 'BEGIN { n = split(c, a, ","); s = 0; m = 0
	for (i = 1; i <= n; i++) { s += a[i]; if (a[i] > m) m = a[i] }
	exit !(s == 15 && n >= 3 && m <= 4) }' "SPLIT arrives in several segments of at most 4 bytes ($out)"
fault_wait 10
is "$?" 0 "...and the server exits 0"

# --- CLOSE vs RESET --------------------------------------------------------------------------------
fault_start - --timeout 10 <<'EOF'
EXPECT ^go$
SEND bye
CLOSE
EOF
out=$(fsc "$FAULT_PORT" send:'go\r\n' all)
is "$out" "$(printf '%s\n%s' 'bye\r\n' EOF)" "CLOSE: the client reads the data, then EOF"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start - --timeout 10 <<'EOF'
EXPECT ^go$
RESET
EOF
out=$(fsc "$FAULT_PORT" send:'go\r\n' all)
is "$out" "$(printf '\nRESET')" "RESET: the client gets ECONNRESET"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start - --timeout 10 <<'EOF'
SEND 421 going away
CLOSE
EOF
fsc "$FAULT_PORT" all send:'QUIT\r\n' >/dev/null
fault_wait 10
is "$?" 0 "CLOSE then a late client write -> exit 0"
check fault_record_has "QUIT" "...and the record holds what the client sent after the FIN"

# --- record: byte-exact ----------------------------------------------------------------------------
fault_start - --timeout 10 <<'EOF'
EXPECT-ANY
WAIT-CLOSE
EOF
fsc "$FAULT_PORT" send:'A\x00B\rC\xff\r\n' send:'tail without newline' >/dev/null
fault_wait 10
is "$?" 0 "WAIT-CLOSE: client sends and closes -> exit 0"
out=$(od -An -c "$FAULT_RECORD" | tr -s ' \n' ' ')
is "$out" "$(printf 'A\0B\rC\377\r\ntail without newline' | od -An -c | tr -s ' \n' ' ')" \
	"--record holds the exact bytes (NUL, CR, 0xff, no final newline)"

# --- EXPECT-DATA -------------------------------------------------------------------------------------
fault_start - --timeout 10 <<'EOF'
EXPECT ^DATA$
SEND 354 go
EXPECT-DATA
SEND 250 got ${DATA_SIZE}
EXPECT ^QUIT$
SEND 221 bye
CLOSE
EOF
out=$(fsc "$FAULT_PORT" send:'DATA\r\n' line send:'Subject: x\r\n\r\n..dot\r\n.x\r\n' \
	send:'\r\n.\r\nQUIT\r\n' line line)
is "$out" "$(printf '%s\n' '354 go\r\n' '250 got 27\r\n' '221 bye\r\n')" \
	"EXPECT-DATA reads to CRLF.CRLF across segments, sets DATA_SIZE, leaves the pipelined QUIT"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start - --timeout 10 <<'EOF'
EXPECT ^DATA$
SEND 354 go
EXPECT-DATA
SEND 250 got ${DATA_SIZE}
CLOSE
EOF
out=$(fsc "$FAULT_PORT" send:'DATA\r\n.\r\n' line line)
is "$out" "$(printf '%s\n' '354 go\r\n' '250 got 0\r\n')" "EXPECT-DATA: an empty body"
fault_wait 10
is "$?" 0 "...and the server exits 0"

# --- BIG / REPEAT ---------------------------------------------------------------------------------------
fault_start - --timeout 20 <<'EOF'
BIG 1M x CRLF
CLOSE
EOF
out=$(fsc "$FAULT_PORT" count)
is "$out" 1048578 "BIG 1M x CRLF sends 1048576 + 2 bytes"
fault_wait 20
is "$?" 0 "...and the server exits 0"

fault_start - --timeout 10 <<'EOF'
BIG 11 abc LF
BIG 3 \x41
CLOSE
EOF
out=$(fsc "$FAULT_PORT" all)
is "$out" "$(printf '%s\n%s' 'abcabcabcab\nAAA' EOF)" \
	"BIG repeats a pattern, cut to size, with the line end asked"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start - --timeout 20 <<'EOF'
REPEAT 1000 SEND 250-line ${i}
REPEAT 3 RAW ab
SEND
CLOSE
EOF
"$FAULT_PY" "$FAULT_HOME/fsclient.py" "$FAULT_PORT" all >"$FAULT_DIR/repeat.out"
out=$(grep -o '250-line [0-9]*' "$FAULT_DIR/repeat.out" | wc -l | tr -d ' ')
is "$out" 1000 "REPEAT 1000 SEND sends 1000 lines"
check grep -q '250-line 1000\\r\\nababab\\r\\n$' "$FAULT_DIR/repeat.out" \
	"...numbered by \${i} up to 1000, then REPEAT 3 RAW"
fault_wait 20
is "$?" 0 "...and the server exits 0"

# --- READ, SENDFILE, READ-TIMEOUT, WAIT-CLOSE limit -----------------------------------------------
printf 'file\0bytes\n' >"$FAULT_DIR/payload"
fault_start - --timeout 10 --set PAYLOAD="$FAULT_DIR/payload" <<'EOF'
EXPECT ^APPEND \{(\d+)\}$
SEND + go
READ ${1}
SENDFILE ${PAYLOAD}
EXPECT ^$
SEND done
CLOSE
EOF
out=$(fsc "$FAULT_PORT" send:'APPEND {5}\r\n' line send:'ab\ncd\r\n' read:11 line)
is "$out" "$(printf '%s\n' '+ go\r\n' 'file\x00bytes\n' 'done\r\n')" \
	"READ \${1} takes an IMAP-style literal; SENDFILE sends a file's bytes"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start - --timeout 10 <<'EOF'
READ-TIMEOUT 0.5
EXPECT ^anything
EOF
t0=$(now_ms)
fsc "$FAULT_PORT" sleep:2 >/dev/null &
cpid=$!
fault_wait 10
rc=$?
el=$(($(now_ms) - t0))
wait "$cpid"
is "$rc" 1 "READ-TIMEOUT: a silent client -> exit 1"
check test "$el" -lt 1800 "...after about 0.5 s (took $el ms)"

fault_start - --timeout 10 <<'EOF'
WAIT-CLOSE 0.5
EOF
fsc "$FAULT_PORT" sleep:1.5 >/dev/null &
cpid=$!
fault_wait 10
rc=$?
wait "$cpid"
is "$rc" 1 "WAIT-CLOSE 0.5: the client stays -> exit 1"

# --- EXPECT-CLOSE ---------------------------------------------------------------------------------
fault_start - --timeout 10 <<'EOF'
SEND 220 go ahead\r\n250 injected
EXPECT-CLOSE 5
EOF
fsc "$FAULT_PORT" line line close >/dev/null
fault_wait 10
is "$?" 0 "EXPECT-CLOSE: the client closes without a word -> exit 0"

fault_start - --timeout 10 <<'EOF'
SEND 220 go ahead\r\n250 injected
EXPECT-CLOSE 5
EOF
fsc "$FAULT_PORT" line send:'\x16\x03\x01\x00\x05hello' close >/dev/null
fault_wait 10
is "$?" 1 "EXPECT-CLOSE: the client sends something -> exit 1"
check grep -q 'TLS ClientHello' "$FAULT_STDERR" "...and stderr recognises a TLS ClientHello"

# --- SERVE / ON / DONE / FAIL -----------------------------------------------------------------------
fault_start - --timeout 10 <<'EOF'
ON ^(\S+) (?i:NOOP)$
  SEND ${1} OK noop
END
ON ^(\S+) (?i:BYE)$
  SEND ${1} OK leaving serve
  DONE
END
SEND * ready
SERVE 10
SEND * after serve
CLOSE
EOF
out=$(fsc "$FAULT_PORT" line send:'a NOOP\r\nb noop\r\nc BYE\r\n' all)
is "$out" "$(printf '%s\n' '* ready\r\n' \
	'a OK noop\r\nb OK noop\r\nc OK leaving serve\r\n* after serve\r\n' EOF)" \
	"SERVE dispatches to the first matching ON; DONE leaves the loop"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start - --timeout 10 <<'EOF'
ON ^NOOP$
  SEND 250 ok
END
SERVE
EOF
fsc "$FAULT_PORT" send:'NOOP\r\nWHAT\r\n' all >/dev/null
fault_wait 10
is "$?" 1 "SERVE: a line no ON matches -> exit 1"

fault_start - --timeout 10 <<'EOF'
MAY-CLOSE
ON ^PASS\s
  FAIL password sent in the clear
END
ON .*
  SEND +OK
END
SERVE
EOF
fsc "$FAULT_PORT" send:'USER u\r\n' line send:'PASS p\r\n' all >/dev/null
fault_wait 10
is "$?" 1 "FAIL in a handler -> exit 1 (even with MAY-CLOSE)"
check grep -q 'password sent in the clear' "$FAULT_STDERR" "...and stderr carries the FAIL text"

# --- ACCEPT / CONNECTIONS / per-connection record ----------------------------------------------------
fault_start - --timeout 10 --record "$FAULT_DIR/conn.%d" <<'EOF'
SEND first ${CONN}
EXPECT ^one$
CLOSE
ACCEPT
SEND second ${CONN}
EXPECT ^two$
CLOSE
EOF
out1=$(fsc "$FAULT_PORT" line send:'one\r\n' all)
out2=$(fsc "$FAULT_PORT" line send:'two\r\n' all)
is "$out1 | $out2" "$(printf 'first 1\\r\\n\n\nEOF | second 2\\r\\n\n\nEOF')" \
	"ACCEPT: two connections, one after the other"
fault_wait 10
is "$?" 0 "...and the server exits 0"
is "$(tr '\r\n' RN <"$FAULT_DIR/conn.1")|$(tr '\r\n' RN <"$FAULT_DIR/conn.2")" "oneRN|twoRN" \
	"--record with %d keeps one file per connection"

fault_start - --timeout 10 <<'EOF'
CONNECTIONS 3
SEND hello ${CONN}
CLOSE
EOF
out=$(fsc "$FAULT_PORT" line; fsc "$FAULT_PORT" line; fsc "$FAULT_PORT" line)
is "$out" "$(printf '%s\n' 'hello 1\r\n' 'hello 2\r\n' 'hello 3\r\n')" \
	"CONNECTIONS 3 replays the script three times"
fault_wait 10
is "$?" 0 "...and the server exits 0"

# --- overall timeout / fault_wait bound / fault_stop -----------------------------------------------
t0=$(now_ms)
fault_start - --timeout 1 <<'EOF'
SEND never read
EOF
fault_wait 10
rc=$?
el=$(($(now_ms) - t0))
is "$rc" 3 "overall timeout with no client -> exit 3"
check test "$el" -lt 2500 "...after about 1 s (took $el ms)"

fault_start - --timeout 1 <<'EOF'
SEND hi
WAIT-CLOSE
EOF
fsc "$FAULT_PORT" sleep:2 >/dev/null &
cpid=$!
fault_wait 10
is "$?" 3 "overall timeout with a client that never closes -> exit 3"
wait "$cpid"

fault_start - --timeout 30 <<'EOF'
WAIT-CLOSE
EOF
fault_wait 1
is "$?" 124 "fault_wait gives up at its bound (124) and kills the server"
check test ! -d "/proc/$FAULT_PID" "...the server is gone"

fault_start - --timeout 30 <<'EOF'
WAIT-CLOSE
EOF
fault_stop
check test ! -d "/proc/$FAULT_PID" "fault_stop kills and reaps the server"

# --- TLS ----------------------------------------------------------------------------------------------
fault_mkcert localhost other
OTHER_CA=$FAULT_CA
check fault_mkcert localhost main "fault_mkcert makes a CA and a leaf"

fault_start - --timeout 10 <<'EOF'
TLS
SEND 220 over tls
EXPECT ^HELLO$
SEND 250 hello
CLOSE
EOF
out=$(fsc --ca "$FAULT_CA" "$FAULT_PORT" tls line send:'HELLO\r\n' line all)
is "$out" "$(printf '%s\n' TLS '220 over tls\r\n' '250 hello\r\n' '' EOF)" \
	"TLS (implicit): verified handshake against FAULT_CA, then the script"
fault_wait 10
is "$?" 0 "...and the server exits 0"
is "$(tr '\r\n' RN <"$FAULT_RECORD")" "HELLORN" "...and the record holds the plaintext"

fault_start - --timeout 10 <<'EOF'
SEND 220 ready
EXPECT ^STARTTLS$
SEND 220 go ahead
EXPECT-TLS
EXPECT ^EHLO (\S+)$
SEND 250 hi ${1}
CLOSE
EOF
out=$(fsc --ca "$FAULT_CA" "$FAULT_PORT" line send:'STARTTLS\r\n' line tls send:'EHLO me\r\n' line)
is "$out" "$(printf '%s\n' '220 ready\r\n' '220 go ahead\r\n' TLS '250 hi me\r\n')" \
	"EXPECT-TLS: STARTTLS-style upgrade"
fault_wait 10
is "$?" 0 "...and the server exits 0"
check fault_record_has "EHLO me" "...and the record holds the command sent inside TLS"

fault_start - --timeout 10 <<'EOF'
EXPECT ^STARTTLS$
SEND 220 go ahead
EXPECT-TLS
EOF
fsc "$FAULT_PORT" send:'STARTTLS\r\nEHLO early\r\n' line all >/dev/null
fault_wait 10
is "$?" 1 "EXPECT-TLS: client bytes before the handshake -> exit 1"

fault_start - --timeout 10 <<'EOF'
TLS-REJECT
EOF
out=$(fsc --ca "$OTHER_CA" "$FAULT_PORT" tls)
is "$out" TLS-FAILED "TLS-REJECT: a client trusting another CA refuses the certificate"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start - --timeout 10 <<'EOF'
TLS-REJECT
EOF
fsc "$FAULT_PORT" tls >/dev/null
fault_wait 10
is "$?" 1 "TLS-REJECT: a client that verifies nothing -> exit 1"

fault_start - --timeout 10 <<EOF
TLS $FAULT_DIR/certs-other/leaf.pem $FAULT_DIR/certs-other/leaf.key
SEND other cert
CLOSE
EOF
out=$(fsc --ca "$OTHER_CA" "$FAULT_PORT" tls line)
is "$out" "$(printf '%s\n' TLS 'other cert\r\n')" "TLS CERT KEY: a certificate given in the script"
fault_wait 10
is "$?" 0 "...and the server exits 0"

# --- the library scripts against real clients --------------------------------------------------------
fault_start "$FAULT_HOME/scripts/smtp-rcpt-one-of-three-refused-nopipelining.script" --timeout 10
"$FAULT_PY" - "$FAULT_PORT" <<'EOF' >"$FAULT_DIR/smtplib.out" 2>&1
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=5)
refused = s.sendmail("a@faultserver.test", ["r1@x.test", "r2@x.test", "r3@x.test"],
                     "Subject: t\r\n\r\nbody\r\n")
print(sorted(refused.items()))
s.quit()
EOF
is "$(cat "$FAULT_DIR/smtplib.out")" \
	"[('r2@x.test', (550, b'5.1.1 <r2@x.test>: Recipient address rejected: User unknown in local recipient table'))]" \
	"smtp-rcpt-one-of-three-refused-nopipelining: smtplib sees the second refused"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start "$FAULT_HOME/scripts/smtp-rcpt-one-of-three-refused-pipelining.script" --timeout 10
out=$(fsc "$FAULT_PORT" line send:'EHLO me\r\n' line line line \
	send:'MAIL FROM:<a@x>\r\nRCPT TO:<r1@x>\r\nRCPT TO:<r2@x>\r\nRCPT TO:<r3@x>\r\nDATA\r\n' \
	line line line line line send:'Subject: t\r\n\r\nbody\r\n.\r\nQUIT\r\n' line line)
is "$out" "$(printf '%s\n' '220 faultserver.test ESMTP ready\r\n' '250-faultserver.test greets you\r\n' \
	'250-PIPELINING\r\n' '250 8BITMIME\r\n' '250 2.1.0 Ok\r\n' '250 2.1.5 Ok\r\n' \
	'550 5.1.1 <r2@x>: Recipient address rejected: User unknown in local recipient table\r\n' \
	'250 2.1.5 Ok\r\n' '354 End data with <CR><LF>.<CR><LF>\r\n' \
	'250 2.0.0 Ok: 20 bytes queued as FAULT1\r\n' '221 2.0.0 Bye\r\n')" \
	"smtp-rcpt-one-of-three-refused-pipelining: a fully pipelined client"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start "$FAULT_HOME/scripts/smtp-4xx-then-ok.script" --timeout 10
"$FAULT_PY" - "$FAULT_PORT" <<'EOF' >"$FAULT_DIR/smtplib.out" 2>&1
import smtplib, sys
port = int(sys.argv[1])
for attempt in (1, 2):
    s = smtplib.SMTP("127.0.0.1", port, timeout=5)
    try:
        s.sendmail("a@faultserver.test", ["b@x.test"], "Subject: t\r\n\r\nbody\r\n")
        print("attempt %d: sent" % attempt)
    except smtplib.SMTPSenderRefused as e:
        print("attempt %d: %d" % (attempt, e.smtp_code))
    s.quit()
EOF
is "$(cat "$FAULT_DIR/smtplib.out" | tr '\n' ' ')" "attempt 1: 451 attempt 2: sent " \
	"smtp-4xx-then-ok: 451 on the first connection, accepted on the second"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start "$FAULT_HOME/scripts/smtp-starttls-injection.script" --timeout 10
out=$(fsc "$FAULT_PORT" line send:'EHLO me\r\n' line line line line send:'STARTTLS\r\n' line line close)
is "$out" "$(printf '%s\n' '220 faultserver.test ESMTP ready\r\n' '250-faultserver.test greets you\r\n' \
	'250-PIPELINING\r\n' '250-STARTTLS\r\n' '250 AUTH PLAIN LOGIN\r\n' \
	'220 2.0.0 Ready to start TLS\r\n' '250 fake-injected-reply\r\n')" \
	"smtp-starttls-injection: the injected reply rides with the 220"
fault_wait 10
is "$?" 0 "...and a client that closes at once passes (exit 0)"

fault_start "$FAULT_HOME/scripts/smtp-starttls-injection.script" --timeout 10
fsc "$FAULT_PORT" line send:'EHLO me\r\n' line line line line send:'STARTTLS\r\n' line tls >/dev/null
fault_wait 10
is "$?" 1 "smtp-starttls-injection: a client that starts TLS anyway fails (exit 1)"

fault_start "$FAULT_HOME/scripts/imap-basic.script" --timeout 10
"$FAULT_PY" - "$FAULT_PORT" "$FAULT_HOME/scripts/lib/msg1.eml" <<'EOF' >"$FAULT_DIR/imaplib.out" 2>&1
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=5)
m.login("user", "secret")
typ, d = m.select("INBOX")
assert (typ, d) == ("OK", [b"1"]), (typ, d)
typ, d = m.uid("FETCH", "1:*", "(UID FLAGS RFC822.SIZE)")
assert b"RFC822.SIZE 283" in d[0], d
typ, d = m.uid("FETCH", "1", "(BODY.PEEK[])")
assert d[0][1] == open(sys.argv[2], "rb").read(), d
m.logout()
print("imap ok")
EOF
is "$(cat "$FAULT_DIR/imaplib.out")" "imap ok" \
	"imap-basic: imaplib logs in, lists, fetches msg1.eml byte-exact, logs out"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start "$FAULT_HOME/scripts/pop3-duplicate-uidl.script" --timeout 10
"$FAULT_PY" - "$FAULT_PORT" "$FAULT_HOME/scripts/lib" <<'EOF' >"$FAULT_DIR/poplib.out" 2>&1
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=5)
p.user("user")
p.pass_("secret")
assert p.stat() == (3, 838), p.stat()
sizes = [int(x.split()[1]) for x in p.list()[1]]
uids = [x.split()[1] for x in p.uidl()[1]]
bodies = [b"\r\n".join(p.retr(i)[1]) + b"\r\n" for i in (1, 2, 3)]
for n, f in ((1, "msg1.eml"), (2, "msg2.eml"), (3, "msg1.eml")):
    assert bodies[n - 1] == open(sys.argv[2] + "/" + f, "rb").read(), n
    assert sizes[n - 1] == len(bodies[n - 1]), (n, sizes)
p.quit()
print(uids)
EOF
is "$(cat "$FAULT_DIR/poplib.out")" \
	"[b'dup-uid-faultserver', b'dup-uid-faultserver', b'msg3-faultserver']" \
	"pop3-duplicate-uidl: poplib sees the duplicate; LIST sizes match the messages"
fault_wait 10
is "$?" 0 "...and the server exits 0"

fault_start "$FAULT_HOME/scripts/smtp-auth-535.script" --timeout 10
"$FAULT_PY" - "$FAULT_PORT" <<'EOF' >"$FAULT_DIR/smtplib.out" 2>&1
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=5)
for mech in ("PLAIN", "LOGIN"):
    s.ehlo()
    s.user, s.password = "joe", "s3cret"
    try:
        s.auth(mech, getattr(s, "auth_" + mech.lower()), initial_response_ok=False)
    except smtplib.SMTPAuthenticationError as e:
        print(mech, e.smtp_code)
s.quit()
EOF
is "$(tr '\n' ' ' <"$FAULT_DIR/smtplib.out")" "PLAIN 535 LOGIN 535 " \
	"smtp-auth-535: AUTH PLAIN (after 334) and AUTH LOGIN both get 535"
fault_wait 10
is "$?" 0 "...and the server exits 0"
check fault_record_has "AGpvZQBzM2NyZXQ=" "...and the record holds base64(NUL joe NUL s3cret), for leak checks"

fault_start - --timeout 10 <<'EOF'
INCLUDE ${SCRIPTS}/lib/smtp-handlers.inc
SET EHLO 250 SIZE 99
LOG greeting now
SEND 220 faultserver.test ESMTP inline
SERVE
EOF
"$FAULT_PY" - "$FAULT_PORT" <<'EOF' >"$FAULT_DIR/smtplib.out" 2>&1
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=5)
s.ehlo()
print(s.esmtp_features.get("size"), s.sendmail("a@x.test", ["b@x.test"], "Subject: t\r\n\r\nhi\r\n"))
s.quit()
EOF
is "$(cat "$FAULT_DIR/smtplib.out")" "99 {}" "INCLUDE \${SCRIPTS}/lib/... from an inline script; SET overrides"
fault_wait 10
is "$?" 0 "...and the server exits 0"
check grep -q 'LOG: greeting now' "$FAULT_LOG" "LOG writes a note in the transcript"

echo "1..$T"
