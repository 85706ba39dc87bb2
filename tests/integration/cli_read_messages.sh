#!/bin/bash
# cli_read_messages.sh (integration): mailbench list and show on messages that went through
# the lab's real SMTP server: sent with `mailbench send --eml`, read back from alice's
# Maildir (with the Return-Path, Delivered-To and Received lines the server added) and
# stored in a cache by tests/unit/cache_insert as a fetch would. Among them: RFC 2047
# subjects in ISO-8859-1, Shift_JIS and UTF-8, an HTML-only message, a spoofed envelope
# sender, and a hostile message (escape sequences in Subject, From and a raw header, a
# bidi override, attachments named ../../.bashrc, /etc/passwd and invoice<RLO>fdp.exe).
set -u
# shellcheck source=tests/lab/fixture.sh
. "${top_srcdir:?run me from make check}/tests/lab/fixture.sh"
# shellcheck source=tests/integration/cli_read_common.sh
. "$top_srcdir/tests/integration/cli_read_common.sh"

cr_account plain localhost "$LAB_SMTP_PORT" none
tok=$(lab_token | sha1sum | cut -c1-10)
M=$CR_TMP/msgs
mkdir -p "$M"

# --- the messages ---
"$PY" - "$M" "$tok" <<'PYEOF'
import base64, sys
out, tok = sys.argv[1], sys.argv[2]
def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()
def w(name, text):
    text = text.replace("@TOKEN@", tok).replace("@NAME@", name)
    open(f"{out}/{name}.eml", "wb").write(text.encode().replace(b"\n", b"\r\n"))
sjis = base64.b64encode("日本語のテスト".encode("shift_jis")).decode()
rlo = "invoice\u202efdp.exe"
boss = b64("\u202eBoss")
bashrc = b64(b"echo pwned\n")
rlo2231 = "".join(c if c.isalnum() or c in "._-" else "".join("%%%02X" % b for b in c.encode())
                  for c in rlo)
w("plain", """From: Bob Builder <bob@lab.test>
To: bob@lab.test
Cc: Alice <alice@lab.test>
Subject: Plain @TOKEN@
Date: Wed, 01 May 2024 10:31:02 +0000
Message-ID: <plain.@TOKEN@@lab.test>
X-Test-Id: @NAME@-@TOKEN@

Hello Alice,
\ta tab line
..a dot line
bye
""")
w("latin1", """From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <juergen@lab.test>
To: alice@lab.test
Subject: =?ISO-8859-1?Q?Gr=FC=DFe_aus_K=F6ln?= @TOKEN@
Date: Thu, 02 May 2024 08:00:00 +0200
X-Test-Id: @NAME@-@TOKEN@
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Sch=F6ne Gr=FC=DFe!
""")
w("sjis", f"""From: Taro <taro@lab.test>
To: alice@lab.test
Subject: =?Shift_JIS?B?{sjis}?= @TOKEN@
Date: Fri, 03 May 2024 09:00:00 +0900
X-Test-Id: @NAME@-@TOKEN@
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

konnichiwa
""")
w("utf8", f"""From: =?UTF-8?B?{b64("Zoë")}?= <zoe@lab.test>
To: alice@lab.test
Subject: =?UTF-8?B?{b64("✓ Ünïcödé 🎉")}?= @TOKEN@
Date: Sat, 04 May 2024 12:00:00 +0000
X-Test-Id: @NAME@-@TOKEN@
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Grüße ✓
""")
w("html", """From: News <news@lab.test>
To: alice@lab.test
Subject: HTML only @TOKEN@
Date: Sun, 05 May 2024 12:00:00 +0000
X-Test-Id: @NAME@-@TOKEN@
MIME-Version: 1.0
Content-Type: text/html; charset=UTF-8

<html><head><style>p {color: red}</style><script>evil()</script></head>
<body><p>Hello <b>HTML</b> world</p><ul><li>first item</li></ul>
<a href="http://lab.test/x">a link</a></body></html>
""")
w("hostile", f"""From: =?UTF-8?B?{boss}?= <boss@corp.example>
To: alice@lab.test
Subject: =?UTF-8?Q?SAFE=0DEVIL_=1B]52;c;ZXZpbA=3D=3D=07_=1B[2J?= @TOKEN@
Date: Mon, 06 May 2024 12:00:00 +0000
X-Test-Id: @NAME@-@TOKEN@
X-Evil: \x1b]2;pwned\x07 \x1b[2J
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="BOUND"

--BOUND
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Body with an escape =1B[31mRED=1B[0m and a title =1B]0;pwned=07 end.
--BOUND
Content-Type: application/octet-stream; name="../../.bashrc"
Content-Disposition: attachment; filename="../../.bashrc"
Content-Transfer-Encoding: base64

{bashrc}
--BOUND
Content-Type: text/plain; name="/etc/passwd"
Content-Disposition: attachment; filename="/etc/passwd"

root:x:0:0:evil:/root:/bin/bash
--BOUND
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''{rlo2231}
Content-Transfer-Encoding: base64

{b64(b"%PDF-1.4 not really")}
--BOUND
Content-Type: message/rfc822

From: inner@lab.test
To: alice@lab.test
Subject: inner message
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="ALT"

--ALT
Content-Type: text/plain

inner plain
--ALT
Content-Type: text/html

<p>inner html</p>
--ALT--
--BOUND--
""")
PYEOF
[ $? = 0 ] || tap_bail "cannot write the test messages"

names="plain latin1 sjis utf8 html hostile"
for n in $names; do
	if [ "$n" = plain ]; then
		# a spoofed envelope: bob writes, mallory is the envelope sender, only alice gets it
		mb send --account plain --eml "$M/$n.eml" --envelope-from mallory@phish.example \
			--envelope-to "alice@$LAB_DOMAIN" --quiet >"$CR_TMP/send.$n" 2>&1
	else
		mb send --account plain --eml "$M/$n.eml" --quiet >"$CR_TMP/send.$n" 2>&1
	fi
	tap_is "$?" 0 "the lab's SMTP server accepts the $n message"
done
declare -A file id
for n in $names; do
	file[$n]=$(lab_wait_for_match alice "^X-Test-Id: $n-$tok")
	tap_ok $? "alice got the $n message"
done
for n in $names; do
	id[$n]=$("$CACHE_INSERT" "$CR_CACHE" lab-alice INBOX "${file[$n]}")
	tap_like "${id[$n]}" '^[0-9]+$' "the delivered $n message is in the cache (id ${id[$n]})"
done
D=$top_srcdir/tests/unit/data/mime
idh=$("$CACHE_INSERT" "$CR_CACHE" other Archive "$D/headerless.eml")
idf=$("$CACHE_INSERT" "$CR_CACHE" other Archive --flags 5 "$D/nested.eml")
tap_like "$idh:$idf" '^[0-9]+:[0-9]+$' "two local messages in another account's Archive"

# --- list: the table ---
out=$(COLUMNS=80 mb list --account lab-alice)
tap_is "$?" 0 "list --account: exit 0"
tap_like "$(printf '%s\n' "$out" | head -n 1)" '^ *ID  DATE +FLAGS +SIZE  FROM +SUBJECT$' \
	"list: the table's header (no MAILBOX column for one mailbox)"
tap_is "$(printf '%s\n' "$out" | tail -n +2 | awk '{print $1}' | tr '\n' ' ')" \
	"${id[hostile]} ${id[html]} ${id[utf8]} ${id[sjis]} ${id[latin1]} ${id[plain]} " \
	"list: newest first (by Date:)"
tap_like "$out" "Grüße aus Köln $tok" "list: the ISO-8859-1 subject decoded"
tap_like "$out" "日本語のテスト $tok" "list: the Shift_JIS subject decoded"
tap_like "$out" "✓ Ünïcödé 🎉 $tok" "list: the UTF-8 subject decoded"
tap_like "$out" "Jürgen Müller" "list: the sender's decoded name"
tap_like "$out" 'SAFE\^MEVIL \^\[\]52;c;' "list: escape sequences in a subject made visible"
tap_like "$out" '<U\+202E>Boss' "list: the bidi override made visible"
tap_unlike "$out" $'\e|\r|\u202e' "list: no ESC, CR or bidi override reaches the terminal"
tap_like "$out" "^ *${id[plain]}  2024-05-01 [0-9:]{5}  N " "list: date and the unread flag"
tap_is "$(lines_wider 80 "$out")" "" "list: every line fits 80 columns"
out=$(COLUMNS=50 mb list --account lab-alice)
tap_is "$(lines_wider 50 "$out")" "" "list: every line fits 50 columns"
tap_like "$out" "^ *${id[plain]}  05-01 [0-9:]{5}  N " "list at 50 columns: the date without the year"
out=$(COLUMNS=50 mb list)
tap_is "$(lines_wider 50 "$out")" "" "list of two accounts fits 50 columns too"
out=$(on_tty "$MAILBENCH" --config "$CR_CONFIG" --cache "$CR_CACHE" list)
tap_is "$(lines_wider 100 "$out")" "" "list on a 100-column terminal fits it"
tap_like "$out" "lab-alice/INBOX" "list without --account: a MAILBOX column (account/mailbox)"
tap_like "$out" "other/Archive" "  with the other account's mailbox"
tap_like "$out" "^ *$idf  [0-9-]+ [0-9:]+   \*  " "list: seen and flagged shown as flags"

out=$(mb list --mailbox Archive --format tsv)
tap_is "$(printf '%s\n' "$out" | cut -f1 | sort -n | tr '\n' ' ')" "$idh $idf " \
	"list --mailbox Archive: only that mailbox"
out=$(mb list --account lab-alice --mailbox inbox --format tsv)
tap_is "$(printf '%s\n' "$out" | wc -l)" 6 "--mailbox inbox: INBOX is case-insensitive"
out=$(mb list --account lab-alice --limit 2 --format tsv)
tap_is "$(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ')" "${id[hostile]} ${id[html]} " \
	"list --limit 2: the two newest"
mb list --account nosuch >/dev/null 2>"$CR_TMP/err"
tap_is "$?" 10 "list --account of an unknown account: exit 10"
tap_like "$(cat "$CR_TMP/err")" "no account 'nosuch' in the cache" "  with a clear message"
mb list --mailbox Nope >/dev/null 2>&1
tap_is "$?" 10 "list --mailbox of an unknown mailbox: exit 10"
mb list --format xml >/dev/null 2>&1
tap_is "$?" 2 "list --format xml: exit 2"
mb list --limit -3 >/dev/null 2>&1
tap_is "$?" 2 "list --limit -3: exit 2"
mb list extra >/dev/null 2>&1
tap_is "$?" 2 "list with an operand: exit 2"

# --- list --search (full-text index, field prefixes) ---
srch()
{
	mb list --search "$1" --format tsv | cut -f1 | tr '\n' ' '
}
tap_is "$(srch "subject:Köln")" "${id[latin1]} " "--search subject:Köln finds the Latin-1 message"
tap_is "$(srch "from:taro")" "${id[sjis]} " "--search from:taro"
tap_is "$(srch "body:konnichiwa")" "${id[sjis]} " "--search body:konnichiwa"
tap_is "$(srch "$tok html")" "${id[html]} " "--search: every word must match"
tap_is "$(mb list --search "$tok" --account other --format tsv | wc -l)" 0 \
	"--search with --account: only that account's messages"
tap_is "$(mb list --search "$tok" --account lab-alice --mailbox INBOX --format tsv | wc -l)" 6 \
	"--search with --mailbox"
out=$(mb list --search nosuchwordanywhere)
tap_is "$out" "no message matches" "--search without a match: says so (table)"
tap_is "$(mb list --search nosuchwordanywhere --format json)" "[]" "  and [] in JSON"

# --- list --format json ---
mb list --format json >"$CR_TMP/list.json"
tap_is "$?" 0 "list --format json: exit 0"
"$PY" -m json.tool "$CR_TMP/list.json" >/dev/null
tap_ok $? "the JSON is valid (python3 -m json.tool)"
"$PY" - "$CR_TMP/list.json" >/dev/null <<'PYEOF'
import sys
data = open(sys.argv[1], "rb").read()
sys.exit(any(b < 0x20 and b != 0x0a for b in data) or b"\xe2\x80\xae" in data)
PYEOF
tap_ok $? "the JSON holds no raw control byte and no raw bidi override"
check_json()
{
	"$PY" - "$CR_TMP/list.json" "$@" <<'PYEOF'
import json, os, sys
rows = {r["id"]: r for r in json.load(open(sys.argv[1]))}
what, rid = sys.argv[2], int(sys.argv[3])
r = rows[rid]
if what == "keys":
    need = {"id", "account", "mailbox", "from", "to", "subject", "date", "size", "flags"}
    sys.exit(0 if need <= set(r) and all(need <= set(x) for x in rows.values()) else 1)
if what == "field":
    got = r[sys.argv[4]]
    want = json.loads(sys.argv[5])
    if got != want:
        print(f"# got {got!r}, want {want!r}")
    sys.exit(got != want)
if what == "size":
    sys.exit(r["size"] != os.path.getsize(sys.argv[4]))
PYEOF
}
check_json keys "${id[plain]}"
tap_ok $? "json: every object has id, account, mailbox, from, to, subject, date, size, flags"
check_json field "${id[hostile]}" subject "\"SAFE\\rEVIL \\u001b]52;c;ZXZpbA==\\u0007 \\u001b[2J $tok\""
tap_ok $? "json: the hostile subject decodes to its exact text"
check_json field "${id[hostile]}" from '"\u202eBoss <boss@corp.example>"'
tap_ok $? "json: the bidi override survives as data (escaped)"
check_json field "${id[sjis]}" subject "\"日本語のテスト $tok\""
tap_ok $? "json: the Shift_JIS subject"
check_json field "${id[latin1]}" date '"2024-05-02T06:00:00Z"'
tap_ok $? "json: the date in UTC ISO 8601"
check_json field "${id[plain]}" account '"lab-alice"' && check_json field "${id[plain]}" mailbox '"INBOX"'
tap_ok $? "json: account and mailbox"
check_json field "${id[plain]}" to '"bob@lab.test"' && check_json field "${id[plain]}" from '"Bob Builder <bob@lab.test>"'
tap_ok $? "json: from and to"
check_json field "$idf" flags '["seen", "flagged"]' && check_json field "${id[plain]}" flags '[]'
tap_ok $? "json: flags as names"
check_json field "$idh" date 'null'
tap_ok $? "json: an unknown date is null"
check_json size "${id[hostile]}" "${file[hostile]}"
tap_ok $? "json: size is the stored message's size in bytes"

# --- list --format tsv ---
mb list --format tsv >"$CR_TMP/list.tsv"
tap_is "$(awk -F'\t' 'NF != 9' "$CR_TMP/list.tsv" | wc -l)" 0 "tsv: nine fields on every line"
tap_is "$(wc -l <"$CR_TMP/list.tsv")" 8 "tsv: one line per message"
"$PY" - "$CR_TMP/list.tsv" <<'PYEOF'
import sys
data = open(sys.argv[1], "rb").read()
sys.exit(any(b < 0x20 and b not in (0x09, 0x0a) for b in data))
PYEOF
tap_ok $? "tsv: no control byte but the separators"
row=$(grep "^${id[hostile]}	" "$CR_TMP/list.tsv")
tap_is "$(printf '%s' "$row" | cut -f6)" "SAFE\\rEVIL \\x1b]52;c;ZXZpbA==\\x07 \\x1b[2J $tok" \
	"tsv: the hostile subject escaped"
tap_is "$(printf '%s' "$row" | cut -f2,3,7)" "lab-alice	INBOX	2024-05-06T12:00:00Z" \
	"tsv: account, mailbox, date"
tap_is "$(grep "^$idf	" "$CR_TMP/list.tsv" | cut -f9)" "seen,flagged" "tsv: flags"

# --- show: the default view ---
out=$(mb show "${id[plain]}")
tap_is "$?" 0 "show: exit 0"
tap_is "$(printf '%s\n' "$out" | head -n 5)" "From:    Bob Builder <bob@lab.test>
To:      bob@lab.test
Cc:      Alice <alice@lab.test>
Subject: Plain $tok
Date:    Wed, 01 May 2024 10:31:02 +0000" "show: From, To, Cc, Subject, Date"
tap_is "$(printf '%s\n' "$out" | tail -n +7)" "Hello Alice,
	a tab line
..a dot line
bye" "show: the body as sent (tab kept, dot line intact) when not a terminal"
tty=$(on_tty "$MAILBENCH" --config "$CR_CONFIG" --cache "$CR_CACHE" show "${id[plain]}")
tap_like "$tty" "^        a tab line$" "show on a terminal: tabs expanded"
out=$(mb show "${id[latin1]}")
tap_like "$out" "^Subject: Grüße aus Köln $tok$" "show: the Latin-1 subject decoded"
tap_like "$out" "^From:    Jürgen Müller <juergen@lab.test>$" "show: the Latin-1 name decoded"
tap_like "$out" "^Schöne Grüße!$" "show: the quoted-printable Latin-1 body decoded"
out=$(mb show "${id[sjis]}")
tap_like "$out" "^Subject: 日本語のテスト $tok$" "show: the Shift_JIS subject decoded"
out=$(mb show "${id[html]}")
tap_like "$out" "HTML-only message, shown as text" "show: an HTML-only message is said so"
tap_like "$out" "Hello HTML world" "show: its text"
tap_like "$out" "- first item" "show: list items"
tap_like "$out" "a link <http://lab.test/x>" "show: links with their address"
tap_unlike "$out" "<p>|<b>|evil\(\)|color: red" "show: no tags, scripts or styles"

out=$(mb show "${id[hostile]}")
tap_like "$out" '^From:    <U\+202E>Boss <boss@corp.example>$' "show: the bidi From made visible"
tap_like "$out" '^Subject: SAFE\^MEVIL \^\[\]52;c;ZXZpbA==\^G \^\[\[2J' \
	"show: header escape sequences made visible, even off a terminal"
tap_like "$out" "Attachments" "show: the attachments are listed"
tap_like "$out" '\[2\] \.\./\.\./\.bashrc \(application/octet-stream, 11 bytes\)' \
	"show: the attachment's name as the message gives it"
tap_like "$out" '\[4\] invoice<U\+202E>fdp\.exe' "show: the bidi file name made visible"
tty=$(on_tty "$MAILBENCH" --config "$CR_CONFIG" --cache "$CR_CACHE" show "${id[hostile]}")
tap_unlike "$tty" $'\e' "show on a terminal: no escape byte at all"
tap_like "$tty" 'escape \^\[\[31mRED\^\[\[0m and a title \^\[\]0;pwned\^G end' \
	"show on a terminal: the body's escapes made visible"

# --- show --headers ---
out=$(mb show "${id[hostile]}" --headers)
tap_like "$out" "^Return-Path: <boss@corp.example>$" "--headers: the server's Return-Path first"
tap_like "$out" "^Received: from .* by mail.lab.test" "--headers: Received unfolded on one line"
tap_like "$out" "^X-Test-Id: hostile-$tok$" "--headers: every field"
tap_like "$out" '^X-Evil: \^\[\]2;pwned\^G \^\[\[2J$' "--headers: raw escapes made visible"
tap_like "$out" '^Subject: SAFE\^MEVIL' "--headers: encoded words decoded, then sanitised"
tap_unlike "$out" $'\e|\r' "--headers: no ESC or CR"
out=$(mb show "${id[latin1]}" --headers)
tap_like "$out" "^Subject: Grüße aus Köln $tok$" "--headers: Latin-1 decoded"

# --- show --raw ---
for n in $names; do
	mb show "${id[$n]}" --raw >"$CR_TMP/raw.$n"
	cmp -s "$CR_TMP/raw.$n" "${file[$n]}"
	tap_ok $? "--raw off a terminal: the $n message byte for byte as in the Maildir"
done
tty=$(on_tty "$MAILBENCH" --config "$CR_CONFIG" --cache "$CR_CACHE" show "${id[hostile]}" --raw)
tap_unlike "$tty" $'\e' "--raw on a terminal: no escape byte"
tap_like "$tty" '^X-Evil: \^\[\]2;pwned\^G \^\[\[2J$' "--raw on a terminal: escapes made visible"

# --- show --trace ---
out=$(mb show "${id[plain]}" --trace)
tap_is "$?" 0 "--trace: exit 0"
tap_like "$out" "^Return-Path:  <mallory@phish.example>" "--trace: Return-Path"
tap_like "$out" "^Delivered-To: alice@lab.test" "--trace: Delivered-To"
tap_like "$out" "^Received: 1 hop\(s\), oldest first" "--trace: the hops"
tap_like "$out" "^   1  [0-9-]{10} [0-9:]{8}$" "--trace: the hop's time"
tap_like "$out" "^       by    mail.lab.test" "--trace: by"
tap_like "$out" "^       with  E?SMTP" "--trace: with"
tap_like "$out" "^       id    [0-9A-Za-z]+" "--trace: id"
tap_like "$out" "^       for   <alice@lab.test>" "--trace: for"
tap_like "$out" "^Authentication-Results: none" "--trace: no Authentication-Results"
tap_like "$out" "MAIL FROM:<mallory@phish.example> +From: Bob Builder <bob@lab.test>" \
	"--trace: envelope sender beside From"
tap_like "$out" "differs from From: bob@lab.test" "--trace: the spoofing is explained"
tap_like "$out" "RCPT TO:<alice@lab.test> +Cc: Alice <alice@lab.test>" \
	"--trace: the recorded recipient beside its header"
tap_like "$out" "\(not in this delivery\) +To: bob@lab.test" "--trace: a header recipient this copy did not go to"
tap_like "$out" "To: bob@lab.test: named in the headers, but this copy was not delivered" "  explained"
tap_is "$(lines_wider 80 "$(COLUMNS=80 mb show "${id[plain]}" --trace)")" "" "--trace fits 80 columns"
out=$(mb show "$idh" --trace)
tap_like "$out" "^Return-Path:  none" "--trace of a message never delivered: no Return-Path"
tap_like "$out" "^Received: none" "  no Received"
tap_like "$out" "no server recorded the envelope" "  and no envelope"

# --- show --parts ---
out=$(COLUMNS=80 mb show "${id[hostile]}" --parts)
tap_is "$?" 0 "--parts: exit 0"
tap_like "$out" "^PART +TYPE +ENCODING +CHARSET +SIZE +FILE NAME$" "--parts: the header"
tap_like "$out" "^- +multipart/mixed$" "--parts: the root"
tap_like "$out" "^1 +text/plain +quoted-printable +utf-8 +60$" "--parts: part 1 (decoded size)"
tap_like "$out" "^2 +application/octet-stream +base64 +11  \.\./\.\./\.bashrc$" "--parts: part 2"
tap_like "$out" "^3 +text/plain +7bit +31  /etc/passwd$" "--parts: part 3"
tap_like "$out" "invoice<U\+202E>fdp\.exe" "--parts: the bidi name made visible"
tap_like "$out" "^5 +message/rfc822 " "--parts: the attached message"
tap_like "$out" "^5\.1 +text/plain " "--parts: inside it, IMAP numbering"
tap_is "$(lines_wider 80 "$out")" "" "--parts fits 80 columns"
out=$(mb show "${id[plain]}" --parts)
tap_like "$out" "^1 +text/plain +7bit " "--parts of a single-part message: part 1"

# --- show --part N --save PATH ---
S=$CR_TMP/a/b/save
mkdir -p "$S"
sum_passwd=$(sha256sum /etc/passwd)
out=$(mb show "${id[hostile]}" --part 2 --save "$S")
tap_is "$?" 0 "--save into a directory: exit 0"
tap_like "$out" "saved part 2 \(application/octet-stream, 11 bytes\) as $S/bashrc$" \
	"../../.bashrc is saved as bashrc inside the directory"
tap_is "$(cat "$S/bashrc")" "echo pwned" "  decoded"
tap_ok "$([ ! -e "$CR_TMP/a/.bashrc" ] && [ ! -e "$CR_TMP/.bashrc" ] && [ ! -e "$S/.bashrc" ]; echo $?)" \
	"  and nothing named .bashrc anywhere"
tap_is "$(stat -c %a "$S/bashrc")" 600 "  mode 0600"
out=$(mb show "${id[hostile]}" --part 3 --save "$S")
tap_like "$out" "as $S/passwd$" "/etc/passwd is saved as passwd inside the directory"
tap_is "$(sha256sum /etc/passwd)" "$sum_passwd" "  /etc/passwd is untouched"
out=$(mb show "${id[hostile]}" --part 4 --save "$S")
tap_like "$out" "as $S/invoicefdp.exe$" "the bidi override is dropped from the file name"
tap_is "$(ls "$S" | grep -c $'\u202e')" 0 "  no file name holds it"
tap_is "$(cat "$S/invoicefdp.exe")" "%PDF-1.4 not really" "  decoded from base64"
out=$(mb show "${id[hostile]}" --part 2 --save "$S")
tap_like "$out" "as $S/bashrc-1$" "an existing file is never replaced: bashrc-1"
tap_is "$(cat "$S/bashrc")" "echo pwned" "  the first file is intact"
echo victim >"$CR_TMP/victim"
ln -s "$CR_TMP/victim" "$S/passwd-1"
out=$(mb show "${id[hostile]}" --part 3 --save "$S")
tap_like "$out" "as $S/passwd-2$" "a symbolic link in the way is skipped: passwd-2"
tap_is "$(cat "$CR_TMP/victim")" victim "  the link's target is untouched"
out=$(mb show "${id[hostile]}" --part 3 --save "$S/my:report.txt")
tap_like "$out" "as $S/my_report.txt$" "--save FILE: only its base name is made safe"
out=$(mb show "${id[hostile]}" --part 3 --save "$S/-rf")
tap_like "$out" "as $S/_rf$" "--save FILE: a leading dash cannot become an option"
out=$(mb show "${id[hostile]}" --part 5 --save "$S")
tap_like "$out" "saved part 5 \(message/rfc822, [0-9]+ bytes\) as $S/attachment-5\.eml$" \
	"an attached message without a name: attachment-5.eml"
tap_like "$(cat "$S/attachment-5.eml")" "^Subject: inner message" "  holding the inner message"
out=$(mb show "${id[hostile]}" --part 5.1 --save "$S/inner.txt")
tap_is "$(cat "$S/inner.txt")" "inner plain" "part 5.1 (inside the attached message) saved"
out=$(mb show "${id[plain]}" --part 1 --save "$S/body.txt")
tap_like "$(cat "$S/body.txt")" "^Hello Alice," "part 1 of a single-part message is its body"
tap_is "$(find "$CR_TMP/a" -type f | grep -vc "^$S/")" 0 "nothing was written outside $S"
mb show "${id[hostile]}" --part 9 --save "$S" >/dev/null 2>"$CR_TMP/err"
tap_is "$?" 10 "a missing part: exit 10"
tap_like "$(cat "$CR_TMP/err")" "has no part '9'" "  with a clear message"
mb show "${id[hostile]}" --part 2 --save "$CR_TMP/no/such/dir/x" >/dev/null 2>&1
tap_is "$?" 1 "--save into a missing directory: exit 1"

# --- show: usage ---
check_exit()
{
	local want=$1 desc=$2
	shift 2
	mb "$@" >"$CR_TMP/x.out" 2>"$CR_TMP/x.err"
	tap_is "$?" "$want" "$desc"
}
check_exit 2 "show without ID: exit 2" show
check_exit 2 "show abc: exit 2" show abc
check_exit 10 "show of a missing ID: exit 10" show 999999
tap_like "$(cat "$CR_TMP/x.err")" "no message 999999 in the cache" "  with a clear message"
check_exit 2 "show --raw --headers: exit 2" show "${id[plain]}" --raw --headers
check_exit 2 "show --save without --part: exit 2" show "${id[plain]}" --save "$S"
check_exit 2 "show --part without --save: exit 2" show "${id[plain]}" --part 1
check_exit 2 "show --bogus: exit 2" show "${id[plain]}" --bogus
check_exit 0 "show --help: exit 0" show --help
check_exit 0 "list --help: exit 0" list --help

cr_sanitizer_check
tap_done
