#!/bin/sh
# test_config_cli.sh: `mailbench config` against sample files: what it shows,
# exit codes (3 for a bad config, with FILE:LINE on stderr), --check, --path,
# --config anywhere on the command line, and that no password ever shows.
MAILBENCH=${MAILBENCH:-./mailbench}
t=$(mktemp -d "${TMPDIR:-/tmp}/mb-test-config-cli.XXXXXX") || exit 99
trap 'rm -rf "$t"' EXIT
n=0
failed=0

# isolate from the user's own files
HOME=$t/home
XDG_CONFIG_HOME=$t/xdg
MAILBENCH_LAB_DIR=$t/lab
export HOME XDG_CONFIG_HOME MAILBENCH_LAB_DIR
unset MAILBENCH_LAB_BASE XDG_STATE_HOME
mkdir -p "$HOME"

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		[ -f "$t/out" ] && sed 's/^/#   out: /' "$t/out"
		[ -f "$t/err" ] && sed 's/^/#   err: /' "$t/err"
	fi
}

# run mailbench ARGS...: stdout in $t/out, stderr in $t/err, status in $rc
run() {
	"$MAILBENCH" "$@" >"$t/out" 2>"$t/err"
	rc=$?
}

has() { grep -qF -- "$1" "$t/$2"; }
hasre() { grep -qE -- "$1" "$t/$2"; }
line_is() { [ "$(cat "$t/$2")" = "$1" ]; }

cat >"$t/good" <<'CONF'
# sample config
[account work]
from = Alice <alice@example.org>
smtp_host = smtp.example.org
smtp_security = starttls
imap_host = imap.example.org
imap_security = tls
user = alice
password_command = echo cmd-output-xyzzy
ca_file = certs/ca.pem

[account insecure]
smtp_host = mx.example.org
smtp_port = 2525
tls_verify = no

[ui]
theme = dark
default_account = insecure
CONF

# --path
run config --path
ok $(test $rc -eq 0 && line_is "$t/xdg/mailbench/config" out; echo $?) "--path: the default under XDG_CONFIG_HOME"
run config --path --config "$t/good"
ok $(test $rc -eq 0 && line_is "$t/good" out; echo $?) "--path with --config after it"
run --config "$t/good" config --path
ok $(test $rc -eq 0 && line_is "$t/good" out; echo $?) "--path with --config before the command"
run config --path --config="$t/good"
ok $(test $rc -eq 0 && line_is "$t/good" out; echo $?) "--config=FILE spelling"

# no file at all: the presets
run config
ok $(test $rc -eq 0; echo $?) "no config file: exit 0"
ok $(has "config file: $t/xdg/mailbench/config (not found" out; echo $?) "says the default file is missing"
ok $(has "account lab (built-in) [default]" out && has "account mailpit (built-in)" out; echo $?) "lists the presets, lab is the default"
ok $(has "localhost:10587 starttls" out && has "localhost:1025 none (plain text)" out; echo $?) "preset servers and ports"
run config --check
ok $(test $rc -eq 0 && test ! -s "$t/out"; echo $?) "--check with no file: exit 0, quiet"

# a good file; --config after the subcommand
run config --config "$t/good"
ok $(test $rc -eq 0; echo $?) "good file: exit 0"
ok $(has "config file: $t/good" out; echo $?) "names the file"
ok $(has "account work ($t/good:2)" out; echo $?) "account with its origin"
ok $(has "account insecure ($t/good:12) [default]" out; echo $?) "default_account marked"
ok $(has "smtp.example.org:587 starttls" out && has "imap.example.org:993 tls" out && has "mx.example.org:2525 none" out; echo $?) "servers with effective ports"
ok $(hasre "^  password +password_command$" out; echo $?) "password source: password_command"
ok $(! has "xyzzy" out && ! has "xyzzy" err && ! has "echo cmd-output" out; echo $?) "neither the command nor its output is shown"
ok $(hasre "^  ca_file +$t/certs/ca.pem$" out; echo $?) "relative ca_file made absolute"
ok $(hasre "^  tls_verify +no +<- WARNING" out; echo $?) "tls_verify = no is flagged"
ok $(hasre "^  password +prompt$" out; echo $?) "password source: prompt"
ok $(has "account lab (built-in)" out && has "account mailpit (built-in)" out; echo $?) "presets after the file's accounts"
ok $(hasre "^  theme +dark$" out && hasre "^  default_account +insecure$" out; echo $?) "[ui] theme shown"
run config --check --config "$t/good"
ok $(test $rc -eq 0 && test ! -s "$t/out" && test ! -s "$t/err"; echo $?) "--check good file: exit 0, quiet"

# a literal password: only in a private file, never shown
printf '[account p]\nsmtp_host = h\npassword = Hunter2-Secret\n' >"$t/pw"
chmod 600 "$t/pw"
run config --config "$t/pw"
ok $(test $rc -eq 0 && hasre "^  password +password \(in file\)$" out; echo $?) "0600 file: password (in file)"
ok $(! has "Hunter2" out && ! has "Hunter2" err; echo $?) "the password never appears"
chmod 644 "$t/pw"
run config --config "$t/pw"
ok $(test $rc -eq 3; echo $?) "0644 file with a password: exit 3"
ok $(line_is "mailbench: $t/pw: holds a password but is readable by others (mode 0644): chmod 600 $t/pw or use password_command" err; echo $?) "refusal message"
ok $(! has "Hunter2" out && ! has "Hunter2" err; echo $?) "the password never appears in the refusal"
ok $(test ! -s "$t/out"; echo $?) "nothing on stdout"

# bad files: exit 3, FILE:LINE on stderr
printf '[account a]\nsmtp_host = h\n\nsmtp_prot = 25\n' >"$t/bad"
run config --config "$t/bad"
ok $(test $rc -eq 3; echo $?) "bad key: exit 3"
ok $(line_is "mailbench: $t/bad:4: unknown key 'smtp_prot' (did you mean 'smtp_port'?)" err; echo $?) "bad key: FILE:LINE on stderr"
run config --check --config "$t/bad"
ok $(test $rc -eq 3 && has "$t/bad:4: unknown key" err; echo $?) "--check bad file: exit 3"
printf '[account a]\nsmtp_host = h\npassword = Hunter2-Secret\nsmtp_port = 70000\n' >"$t/bad2"
chmod 600 "$t/bad2"
run config --config "$t/bad2"
ok $(test $rc -eq 3 && has "$t/bad2:4: bad smtp_port '70000'" err && ! has Hunter2 err; echo $?) "bad port: exit 3, no password in the message"
run config --config "$t/missing"
ok $(test $rc -eq 3 && line_is "mailbench: cannot open '$t/missing': no such file or directory" err; echo $?) "missing --config file: exit 3"

# the default file, when there is one
mkdir -p "$t/xdg/mailbench"
cp "$t/good" "$t/xdg/mailbench/config"
run config
ok $(test $rc -eq 0 && has "config file: $t/xdg/mailbench/config" out && has "account work" out; echo $?) "the default file is read"

# usage
run config --help
ok $(test $rc -eq 0 && has "usage: mailbench config" out; echo $?) "--help"
run config --bogus
ok $(test $rc -eq 2 && has "mailbench config: unknown option '--bogus'" err; echo $?) "unknown option: exit 2"
run config extra
ok $(test $rc -eq 2 && has "unexpected argument 'extra'" err; echo $?) "extra argument: exit 2"
run config --check --path
ok $(test $rc -eq 2; echo $?) "--check and --path together: exit 2"

echo "1..$n"
[ "$failed" -eq 0 ]
