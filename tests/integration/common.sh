# common.sh: sourced by mailbench's integration tests after tests/lab/fixture.sh.
# Writes a config file with accounts on the test lab's ports, and gives helpers
# to run mailbench with it and to look into its cache.

MB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mbtest.XXXXXX")
# kept for the secrets scan (tests/secrets_scan.sh) when MB_KEEP_TEST_FILES=1 (make check)
[ "${MB_KEEP_TEST_FILES:-0}" = 1 ] || trap 'rm -rf "$MB_TMP"' EXIT
MB_CONFIG=$MB_TMP/config
MB_CACHE=$MB_TMP/cache.db
PY=/usr/bin/python3

# mb_account NAME USER PROTO PORT SECURITY [extra lines...]: USER "-" for no login
# (the sender is then alice)
mb_account()
{
	local name=$1 user=$2 proto=$3 port=$4 sec=$5
	shift 5
	{
		printf '[account %s]\n' "$name"
		if [ "$user" = - ]; then
			printf 'from = Alice <alice@%s>\n' "$LAB_DOMAIN"
		else
			printf 'from = %s <%s@%s>\n' "$user" "$user" "$LAB_DOMAIN"
		fi
		printf '%s_host = localhost\n%s_port = %s\n%s_security = %s\n' \
			"$proto" "$proto" "$port" "$proto" "$sec"
		if [ "$user" != - ]; then
			printf 'user = %s\n' "$user"
			printf "password_command = cat '%s/secrets/%s'\n" "$MAILBENCH_LAB_DIR" "$user"
		fi
		printf 'ca_file = %s\n' "$LAB_CA"
		printf 'timeout = 20\n'
		for l in "$@"; do printf '%s\n' "$l"; done
		printf '\n'
	} >>"$MB_CONFIG"
}

: >"$MB_CONFIG"
chmod 600 "$MB_CONFIG"

# mb ARGS...: mailbench with the test's config and cache
mb()
{
	"$MAILBENCH" --config "$MB_CONFIG" --cache "$MB_CACHE" "$@"
}

# db SQL: run a query on the cache, one row per line, columns tab-separated
db()
{
	"$PY" - "$MB_CACHE" "$1" <<'PYEOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10)
for row in con.execute(sys.argv[2]):
    print("\t".join("" if v is None else (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)) for v in row))
PYEOF
}

# maildir_body FILE: the decoded text body of a delivered message (python's email module)
maildir_part()
{
	"$PY" - "$@" <<'PYEOF'
import email, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
what = sys.argv[2]
if what == "subject":
    print(msg["subject"])
elif what == "has-bcc":
    print("yes" if msg["bcc"] is not None else "no")
elif what == "body":
    sys.stdout.write(msg.get_body(preferencelist=("plain",)).get_content())
elif what == "attachment":
    for part in msg.iter_attachments():
        sys.stdout.buffer.write(part.get_content() if isinstance(part.get_content(), bytes) else part.get_content().encode())
        break
PYEOF
}
