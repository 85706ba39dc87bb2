#!/bin/bash
# lab.sh: the mailbench lab: real mail servers run privately on loopback for the demo and
# the integration tests.  Dovecot serves IMAP and POP3; Postfix (as root) or the Python
# aiosmtpd server next to this script (as a normal user) serves SMTP and writes into the
# same Maildirs.  Everything lives in one state directory; see tests/lab/README.md.
#
#     lab.sh start [-q] | stop | restart [-q] | status | env | seed [--force]
set -u
set -o pipefail
umask 022

PROG=lab.sh
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
DOMAIN=lab.test
USERS="alice bob carol dave erin frank"
MAILHOST=mail.$DOMAIN

# --- small helpers -------------------------------------------------------------------------

# die MSG...: print an error in the house style and exit 1
die()
{
	echo "$PROG: $*" >&2
	exit 1
}

# warn MSG...: print a warning on stderr
warn()
{
	echo "$PROG: warning: $*" >&2
}

# say MSG...: print a progress line unless quiet
say()
{
	[ "$QUIET" = 1 ] || echo "$*"
}

# write_if_changed FILE MODE: write stdin to FILE only when its content differs; returns 0
# when the file was (re)written, 1 when it was already up to date
write_if_changed()
{
	local file=$1 mode=$2 tmp
	tmp=$(mktemp "$file.XXXXXX") || die "cannot create a temporary file next to '$file'"
	cat >"$tmp"
	if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
		rm -f "$tmp"
		return 1
	fi
	chmod "$mode" "$tmp" && mv -f "$tmp" "$file" || die "cannot write '$file'"
	return 0
}

# port_up PORT: succeed when something accepts TCP connections on 127.0.0.1:PORT
port_up()
{
	timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# pid_from FILE: print the pid stored in FILE (Postfix pads it with spaces)
pid_from()
{
	local pid
	[ -r "$1" ] || return 1
	read -r pid <"$1" 2>/dev/null || return 1
	pid=${pid//[[:space:]]/}
	case $pid in
	'' | *[!0-9]*) return 1 ;;
	esac
	echo "$pid"
}

# pid_alive FILE WORD [ENV]: succeed when FILE names a live process whose command line has
# WORD and, when its environment is readable, the variable assignment ENV
pid_alive()
{
	local pid cmd
	pid=$(pid_from "$1") || return 1
	[ -r "/proc/$pid/cmdline" ] || return 1
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	case $cmd in
	*"$2"*) ;;
	*) return 1 ;;
	esac
	if [ -n "${3:-}" ] && [ -r "/proc/$pid/environ" ]; then
		tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF -- "$3" || return 1
	fi
	return 0
}

# descendants PID: print PID's descendants (children first), one per line
descendants()
{
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2; pids[n++] = $1 }
		END {
			want[root] = 1
			for (changed = 1; changed;) {
				changed = 0
				for (i = 0; i < n; i++) {
					p = pids[i]
					if (!(p in want) && (parent[p] in want)) {
						want[p] = 1; changed = 1; print p
					}
				}
			}
		}'
}

# live_pids PID...: print those PIDs that still run (zombies excluded)
live_pids()
{
	local p st
	for p in "$@"; do
		st=$(ps -o stat= -p "$p" 2>/dev/null) || continue
		case $st in
		Z*) ;;
		*) echo "$p" ;;
		esac
	done
}

# run_detached LOG CMD...: run CMD with stdin from /dev/null, output appended to LOG and no
# other inherited descriptor: a daemon keeping a caller's pipe (a test harness reading a
# test's output) or our lock open would hang that caller
run_detached()
{
	local log=$1
	shift
	(
		close_fds
		exec "$@" </dev/null >>"$log" 2>&1
	)
}

# run_background LOG CMD...: run_detached in the background (its pid in $!)
run_background()
{
	local log=$1
	shift
	(
		close_fds
		exec "$@" </dev/null >>"$log" 2>&1
	) &
}

# close_fds: close every descriptor above 2 in this (sub)shell
close_fds()
{
	local fd
	for fd in /proc/$BASHPID/fd/*; do
		fd=${fd##*/}
		case $fd in
		'' | *[!0-9]*) continue ;;
		esac
		[ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
	done
}

# log_tail FILE: show the last lines of a log to explain a failure
log_tail()
{
	if [ -s "$1" ]; then
		echo "--- last lines of $1:" >&2
		tail -n 15 "$1" >&2
	fi
}

# --- configuration -------------------------------------------------------------------------

LAB=${MAILBENCH_LAB_DIR:-${XDG_STATE_HOME:-${HOME:?HOME is not set}/.local/state}/mailbench/lab}
case $LAB in
/*) ;;
*) LAB=$PWD/$LAB ;;
esac
LAB=${LAB%/}
case $LAB in
*[!A-Za-z0-9._/+@-]*)
	die "cannot use '$LAB' as lab directory: only letters, digits and . _ / + @ - are allowed" ;;
esac
# unix socket paths are limited to 107 bytes, and Dovecot's lie under its base_dir: when the
# lab's directory is long (a deep build tree, distcheck's), base_dir is a short directory of
# its own, /tmp/mailbench-lab-UID/CKSUM, in a directory only this user can write to
SOCKDIR=
if [ "${#LAB}" -gt 60 ]; then
	SOCKDIR=/tmp/mailbench-lab-$(id -u)
	mkdir -p -m 0711 "$SOCKDIR" 2>/dev/null
	[ -d "$SOCKDIR" ] && [ ! -L "$SOCKDIR" ] && [ -O "$SOCKDIR" ] ||
		die "cannot use '$SOCKDIR' for the sockets of '$LAB': not a directory of mine"
	SOCKDIR=$SOCKDIR/$(printf '%s' "$LAB" | cksum | cut -d ' ' -f 1)
fi

RUN=$LAB/run
LOGDIR=$LAB/log
CADIR=$LAB/ca
SECRETS=$LAB/secrets
SPOOL=$LAB/spool
MAILROOT=$SPOOL/mail
PFCONF=$LAB/etc/postfix
DCCONF=$LAB/etc/dovecot
DCBASE=${SOCKDIR:-$RUN}/dovecot
# Postfix's queue (its sockets; Dovecot's SASL socket for it is private/auth there)
QUEUE=$SPOOL
[ -z "$SOCKDIR" ] || QUEUE=$SOCKDIR/postfix
RECORD=$RUN/lab.conf

# the base port: a running lab keeps the one it was started with; a stopped one restarts
# on it unless MAILBENCH_LAB_BASE says otherwise
BASE_REQ=${MAILBENCH_LAB_BASE:-}
if [ -r "$RECORD" ]; then
	REC_BASE=$(sed -n 's/^base=//p' "$RECORD")
	REC_KIND=$(sed -n 's/^smtp=//p' "$RECORD")
else
	REC_BASE=
	REC_KIND=
fi
BASE=${BASE_REQ:-${REC_BASE:-10000}}
case $BASE in
'' | *[!0-9]*) die "cannot use MAILBENCH_LAB_BASE='$BASE': not a number" ;;
esac
[ "$BASE" -ge 1024 ] && [ "$BASE" -le 64500 ] ||
	die "cannot use MAILBENCH_LAB_BASE=$BASE: choose 1024 to 64500"

if [ "$(id -u)" = 0 ]; then
	IS_ROOT=1
	SMTP_KIND=${MAILBENCH_LAB_SMTP:-postfix}
	MAIL_UID=$(id -u mail 2>/dev/null) || die "cannot find the system user 'mail'"
	MAIL_GID=$(id -g mail)
else
	IS_ROOT=0
	SMTP_KIND=${MAILBENCH_LAB_SMTP:-aiosmtpd}
	MAIL_UID=$(id -u)
	MAIL_GID=$(id -g)
fi
case $SMTP_KIND in
postfix) [ "$IS_ROOT" = 1 ] || die "cannot run Postfix as a normal user: unset MAILBENCH_LAB_SMTP" ;;
aiosmtpd) ;;
*) die "cannot use MAILBENCH_LAB_SMTP='$SMTP_KIND': choose postfix or aiosmtpd" ;;
esac

# set_ports: derive every port from BASE
set_ports()
{
	SMTP_PORT=$((BASE + 25))
	SUBMISSION_PORT=$((BASE + 587))
	SMTPS_PORT=$((BASE + 465))
	IMAP_PORT=$((BASE + 143))
	IMAPS_PORT=$((BASE + 993))
	POP3_PORT=$((BASE + 110))
	POP3S_PORT=$((BASE + 995))
}
set_ports

# ::1 is used when the loopback interface has it
if grep -qi '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null; then
	HAVE_V6=1
else
	HAVE_V6=0
fi

QUIET=0

# --- state inspection ----------------------------------------------------------------------

# smtp_alive: the SMTP server of this lab runs
smtp_alive()
{
	case ${REC_KIND:-$SMTP_KIND} in
	postfix) pid_alive "$QUEUE/pid/master.pid" master "MAIL_CONFIG=$PFCONF" ;;
	*) pid_alive "$RUN/smtpd.pid" "--pidfile $RUN/smtpd.pid" ;;
	esac
}

# dovecot_alive: the Dovecot master of this lab runs
dovecot_alive()
{
	pid_alive "$DCBASE/master.pid" "dovecot -c $DCCONF/dovecot.conf"
}

# use_recorded_base: when a lab runs, its recorded base port wins over the environment
use_recorded_base()
{
	if [ -n "$REC_BASE" ] && { smtp_alive || dovecot_alive; }; then
		if [ -n "$BASE_REQ" ] && [ "$BASE_REQ" != "$REC_BASE" ]; then
			warn "the lab in '$LAB' runs on base $REC_BASE, not MAILBENCH_LAB_BASE=$BASE_REQ"
		fi
		BASE=$REC_BASE
		set_ports
		return 0
	fi
	REC_KIND=
	return 1
}

# --- setup ---------------------------------------------------------------------------------

# lock: serialise start/stop/seed of one lab directory (parallel tests)
lock()
{
	mkdir -p "$LAB" || die "cannot create '$LAB'"
	exec 9>"$LAB/lock" || die "cannot open '$LAB/lock'"
	flock -w 120 9 || die "cannot lock '$LAB/lock': another lab.sh holds it for 2 minutes"
}

# need CMD PACKAGE: fail with the package to install when a program is missing
need()
{
	command -v "$1" >/dev/null 2>&1 ||
		die "cannot find '$1': install the Debian package $2 (scripts/deps.sh lab)"
}

# make_dirs: the state directory's skeleton; Maildirs belong to the mail uid
make_dirs()
{
	local u d owner
	# a state directory made by a normal user cannot be served as root, nor the reverse
	if [ -d "$MAILROOT/alice" ]; then
		owner=$(stat -c %u "$MAILROOT/alice")
		[ "$owner" = "$MAIL_UID" ] ||
			die "cannot use '$LAB': its mailboxes belong to uid $owner, not $MAIL_UID (started as another user?)"
	fi
	mkdir -p "$RUN" "$LOGDIR" "$CADIR" "$LAB/etc" "$DCCONF" "$MAILROOT" ||
		die "cannot create directories in '$LAB'"
	chmod 0755 "$LAB" "$RUN" "$LOGDIR" "$CADIR" "$SPOOL" "$MAILROOT"
	mkdir -p "$SECRETS" && chmod 0700 "$SECRETS"
	for u in $USERS; do
		for d in "$MAILROOT/$u" "$MAILROOT/$u/Maildir" "$MAILROOT/$u/Maildir/cur" \
			"$MAILROOT/$u/Maildir/new" "$MAILROOT/$u/Maildir/tmp"; do
			if [ ! -d "$d" ]; then
				mkdir -m 0700 "$d" || die "cannot create '$d'"
				[ "$IS_ROOT" = 1 ] && chown "$MAIL_UID:$MAIL_GID" "$d"
			fi
		done
	done
	if [ "$SMTP_KIND" = postfix ]; then
		mkdir -p "$PFCONF" "$LAB/postfix-data" "$QUEUE"
		chown postfix:postfix "$LAB/postfix-data"
	fi
}

# make_secrets: one generated password per user, created once per state directory
make_secrets()
{
	local u pw
	for u in $USERS; do
		[ -s "$SECRETS/$u" ] && continue
		pw=$u-$(openssl rand -base64 48 | tr -dc 'A-Za-z0-9' | cut -c1-10)
		[ "${#pw}" -eq $((${#u} + 11)) ] || die "cannot generate a password for '$u'"
		(umask 077 && echo "$pw" >"$SECRETS/$u") || die "cannot write '$SECRETS/$u'"
	done
}

# make_users_file: Dovecot's passdb, with hashed passwords only
make_users_file()
{
	local u pw hash file=$DCCONF/users stale=0
	[ -s "$file" ] || stale=1
	for u in $USERS; do
		[ "$SECRETS/$u" -nt "$file" ] && stale=1
	done
	[ "$stale" = 1 ] || return 1
	{
		echo "# generated by lab.sh from $SECRETS: user:password-hash (Dovecot passwd-file)"
		for u in $USERS; do
			read -r pw <"$SECRETS/$u"
			hash=$(doveadm -O pw -s SHA512-CRYPT -p "$pw") || die "cannot hash the password of '$u'"
			echo "$u:$hash::::::"
		done
	} | write_if_changed "$file" 0600
	return 0
}

# openssl_quiet ARGS...: run openssl, showing its output only when it fails
openssl_quiet()
{
	local out
	out=$(openssl "$@" 2>&1) || {
		echo "$out" >&2
		die "openssl $1 failed"
	}
}

# new_key NAME: an EC P-256 private key in $CADIR/NAME.key
new_key()
{
	(umask 077 && openssl_quiet genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$CADIR/$1.key")
}

# new_ca NAME SUBJECT: a self-signed CA certificate NAME.pem with key NAME.key, valid from
# 2019-12-01 (so that expired.pem, valid in January 2020, was issued while it was valid)
# for ten years from now
new_ca()
{
	local days
	new_key "$1"
	days=$((($(date +%s) - $(date -u -d 2019-12-01 +%s)) / 86400 + 3650))
	faketime '2019-12-01 00:00:00' openssl req -x509 -new -key "$CADIR/$1.key" \
		-out "$CADIR/$1.pem" -days "$days" -subj "$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" -addext "subjectKeyIdentifier=hash" \
		2>/dev/null || die "cannot create the CA certificate '$1.pem' (with faketime)"
}

# sign NAME CN SAN DAYS [faketime-date]: a leaf certificate signed by the lab CA
sign()
{
	local name=$1 cn=$2 san=$3 days=$4 when=${5:-} ext
	new_key "$name"
	ext=$(mktemp) || die "cannot create a temporary file"
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyEncipherment" \
		"extendedKeyUsage=serverAuth" "subjectAltName=$san" \
		"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" >"$ext"
	openssl_quiet req -new -key "$CADIR/$name.key" -subj "/O=mailbench lab/CN=$cn" \
		-out "$CADIR/$name.csr"
	if [ -n "$when" ]; then
		faketime "$when" openssl x509 -req -in "$CADIR/$name.csr" -CA "$CADIR/ca.pem" \
			-CAkey "$CADIR/ca.key" -set_serial "0x$(openssl rand -hex 12)" -days "$days" \
			-extfile "$ext" -out "$CADIR/$name.pem" 2>/dev/null ||
			die "cannot sign '$name.pem' with faketime"
	else
		openssl_quiet x509 -req -in "$CADIR/$name.csr" -CA "$CADIR/ca.pem" \
			-CAkey "$CADIR/ca.key" -set_serial "0x$(openssl rand -hex 12)" -days "$days" \
			-extfile "$ext" -out "$CADIR/$name.pem"
	fi
	rm -f "$ext" "$CADIR/$name.csr"
}

# make_certs: the throwaway CAs and certificates, created once per state directory
make_certs()
{
	local san='DNS:localhost,IP:127.0.0.1,IP:::1'
	if [ ! -s "$CADIR/ca.pem" ] || [ ! -s "$CADIR/ca.key" ]; then
		rm -f "$CADIR"/*.pem "$CADIR"/*.key
		new_ca ca "/O=mailbench lab/CN=mailbench lab CA ($(hostname 2>/dev/null || echo lab))"
	fi
	[ -s "$CADIR/other-ca.pem" ] ||
		new_ca other-ca "/O=mailbench lab/CN=mailbench other CA (signs nothing)"
	[ -s "$CADIR/server.pem" ] || sign server localhost "$san" 3650
	[ -s "$CADIR/wronghost.pem" ] || sign wronghost wrong.example 'DNS:wrong.example' 3650
	[ -s "$CADIR/expired.pem" ] || sign expired localhost "$san" 30 '2020-01-01 00:00:00'
	if [ ! -s "$CADIR/selfsigned.pem" ]; then
		new_key selfsigned
		openssl_quiet req -x509 -new -key "$CADIR/selfsigned.key" -out "$CADIR/selfsigned.pem" \
			-days 3650 -subj "/O=mailbench lab/CN=localhost" -addext "subjectAltName=$san" \
			-addext "extendedKeyUsage=serverAuth"
	fi
	rm -f "$CADIR"/*.srl
}

# --- Postfix -------------------------------------------------------------------------------

# postfix_main_cf: print main.cf
postfix_main_cf()
{
	local ifaces='127.0.0.1' protos=ipv4 u maps=
	if [ "$HAVE_V6" = 1 ]; then
		ifaces='127.0.0.1, [::1]'
		protos=all
	fi
	for u in $USERS; do
		maps="$maps $u@$DOMAIN=$u/Maildir/,"
	done
	cat <<EOF
# main.cf of the mailbench lab: generated by lab.sh, rewritten when it changes
compatibility_level = 3.6
queue_directory = $QUEUE
# relative to the queue directory: daemons that dropped root only need to reach their cwd
data_directory = ../postfix-data
mail_owner = postfix
setgid_group = postdrop
myhostname = $MAILHOST
mydomain = $DOMAIN
myorigin = $DOMAIN
mydestination =
inet_interfaces = $ifaces
inet_protocols = $protos
mynetworks = 127.0.0.0/8
maillog_file = $LOGDIR/postfix.log
maillog_file_prefixes = $LOGDIR
smtpd_banner = \$myhostname ESMTP \$mail_name (mailbench lab)
in_flow_delay = 0
message_size_limit = 52428800
disable_vrfy_command = yes
smtpd_discard_ehlo_keywords = etrn
biff = no
append_dot_mydomain = no
# show what the client really sent: no Date/Message-ID/From added for loopback clients
local_header_rewrite_clients =
recipient_delimiter = +

# the only destination: virtual(8) writes the Maildirs Dovecot serves, as the mail uid;
# it runs chrooted in the queue directory, so the mailboxes live in $MAILROOT (not
# chrooted when the queue lies elsewhere, under a short socket directory)
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = inline:{${maps%,} }
virtual_mailbox_base = $([ "$QUEUE" = "$SPOOL" ] && echo /mail || echo "$MAILROOT")
virtual_uid_maps = static:$MAIL_UID
virtual_gid_maps = static:$MAIL_GID
virtual_minimum_uid = $MAIL_UID
virtual_mailbox_limit = 0
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:5.1.1 no local delivery in the mailbench lab
default_transport = error:5.7.1 the mailbench lab delivers only to $DOMAIN
relay_transport = error:5.7.1 the mailbench lab delivers only to $DOMAIN
relayhost =
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
queue_run_delay = 10s
minimal_backoff_time = 10s
maximal_backoff_time = 60s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h

smtpd_tls_chain_files = $CADIR/server.key, $CADIR/server.pem
smtpd_tls_security_level = may
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_received_header = yes
smtpd_tls_loglevel = 1
smtpd_tls_auth_only = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_sasl_auth_enable = no
smtpd_sasl_authenticated_header = yes
EOF
}

# postfix_master_cf: print master.cf
postfix_master_cf()
{
	cat <<EOF
# master.cf of the mailbench lab: generated by lab.sh, rewritten when it changes
# service type  private unpriv  chroot  wakeup  maxproc command + args
$SMTP_PORT inet n - n - - smtpd
$SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
$SMTPS_PORT inet n - n - - smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       $([ "$QUEUE" = "$SPOOL" ] && echo y || echo n)       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# postfix_start: start Postfix from the lab's config directory
postfix_start()
{
	: >"$LOGDIR/postfix-start.log"
	if ! run_detached "$LOGDIR/postfix-start.log" postfix -c "$PFCONF" start; then
		cat "$LOGDIR/postfix-start.log" >&2
		log_tail "$LOGDIR/postfix.log"
		return 1
	fi
}

# --- Dovecot -------------------------------------------------------------------------------

# dovecot_conf: print dovecot.conf (self-contained: nothing from /etc/dovecot)
dovecot_conf()
{
	local listen='127.0.0.1' me group
	[ "$HAVE_V6" = 1 ] && listen='127.0.0.1, ::1'
	cat <<EOF
# dovecot.conf of the mailbench lab: generated by lab.sh, rewritten when it changes
instance_name = mailbench-lab-$BASE
base_dir = $DCBASE
state_dir = $RUN/dovecot-state
listen = $listen
protocols = imap pop3
log_path = $LOGDIR/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S "
login_greeting = Dovecot (mailbench lab) ready.
auth_verbose = yes
auth_failure_delay = 0
auth_mechanisms = plain login
auth_username_format = %Ln
disable_plaintext_auth = yes
ssl = yes
ssl_cert = <$CADIR/server.pem
ssl_key = <$CADIR/server.key
ssl_min_protocol = TLSv1.2
mail_location = maildir:~/Maildir
first_valid_uid = $MAIL_UID
first_valid_gid = $MAIL_GID
mail_max_userip_connections = 100

passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT $DCCONF/users
}
EOF
	if [ "$IS_ROOT" = 1 ]; then
		cat <<EOF
# mail processes run as the mail uid chrooted in $MAILROOT: the state
# directory's parents (e.g. /root) need not be reachable by that uid
valid_chroot_dirs = $MAILROOT
userdb {
  driver = passwd-file
  args = $DCCONF/users
  default_fields = uid=$MAIL_UID gid=$MAIL_GID home=$MAILROOT/./%u
}
service auth {
  user = root
EOF
		if [ "$SMTP_KIND" = postfix ]; then
			cat <<EOF
  unix_listener $QUEUE/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
EOF
		fi
		echo "}"
	else
		me=$(id -un)
		group=$(id -gn)
		cat <<EOF
# run entirely as $me: no chroots, no other users
default_login_user = $me
default_internal_user = $me
default_internal_group = $group
userdb {
  driver = passwd-file
  args = $DCCONF/users
  default_fields = uid=$MAIL_UID gid=$MAIL_GID home=$MAILROOT/%u
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
service pop3-login {
  chroot =
}
EOF
	fi
	cat <<EOF
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = $POP3S_PORT
    ssl = yes
  }
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}
EOF
}

# dovecot_start: start the lab's Dovecot master
dovecot_start()
{
	: >"$LOGDIR/dovecot-start.log"
	if ! run_detached "$LOGDIR/dovecot-start.log" dovecot -c "$DCCONF/dovecot.conf"; then
		cat "$LOGDIR/dovecot-start.log" >&2
		log_tail "$LOGDIR/dovecot.log"
		return 1
	fi
}

# --- aiosmtpd ------------------------------------------------------------------------------

# aiosmtpd_start: start lab-smtpd.py in the background; it writes its own pid file
aiosmtpd_start()
{
	local hosts=127.0.0.1
	[ "$HAVE_V6" = 1 ] && hosts=127.0.0.1,::1
	[ -r "$HERE/lab-smtpd.py" ] || die "cannot find '$HERE/lab-smtpd.py'"
	$PY -c 'import aiosmtpd' 2>/dev/null ||
		die "cannot import aiosmtpd: install the Debian package python3-aiosmtpd"
	rm -f "$RUN/smtpd.pid"
	run_background "$LOGDIR/smtpd.log" setsid $PY "$HERE/lab-smtpd.py" --hosts "$hosts" --smtp "$SMTP_PORT" \
		--submission "$SUBMISSION_PORT" --smtps "$SMTPS_PORT" --domain "$DOMAIN" \
		--hostname "$MAILHOST" --users "${USERS// /,}" --secrets "$SECRETS" \
		--mailroot "$MAILROOT" --cert "$CADIR/server.pem" --key "$CADIR/server.key" \
		--uid "$MAIL_UID" --gid "$MAIL_GID" --log "$LOGDIR/smtpd.log" \
		--pidfile "$RUN/smtpd.pid"
	# the pid file appears once every port is bound
	for _ in $(seq 1 100); do
		[ -s "$RUN/smtpd.pid" ] && return 0
		kill -0 $! 2>/dev/null || break
		sleep 0.05
	done
	log_tail "$LOGDIR/smtpd.log"
	return 1
}

# --- commands ------------------------------------------------------------------------------

# all_ports: print "name port tls-note" for every service
all_ports()
{
	cat <<EOF
smtp $SMTP_PORT
submission $SUBMISSION_PORT
smtps $SMTPS_PORT
imap $IMAP_PORT
imaps $IMAPS_PORT
pop3 $POP3_PORT
pop3s $POP3S_PORT
EOF
}

# summary: one screen telling what runs where
summary()
{
	local smtp_name v
	if [ "${REC_KIND:-$SMTP_KIND}" = postfix ]; then
		v=$(postconf -c "$PFCONF" -h mail_version 2>/dev/null)
		smtp_name="Postfix ${v:-?}"
	else
		smtp_name="aiosmtpd (lab-smtpd.py)"
	fi
	v=$(dovecot --version 2>/dev/null | cut -d' ' -f1)
	cat <<EOF
mailbench lab running in $LAB
  SMTP $smtp_name, IMAP/POP3 Dovecot ${v:-?}, on 127.0.0.1$([ "$HAVE_V6" = 1 ] && echo ' and ::1')
  smtp        $SMTP_PORT  plain, STARTTLS optional, no AUTH; mail for @$DOMAIN only
  submission  $SUBMISSION_PORT  STARTTLS required, then AUTH PLAIN/LOGIN required
  smtps       $SMTPS_PORT  implicit TLS, AUTH PLAIN/LOGIN required
  imap        $IMAP_PORT  STARTTLS offered     imaps  $IMAPS_PORT  implicit TLS
  pop3        $POP3_PORT  STLS offered         pop3s  $POP3S_PORT  implicit TLS
  users       alice bob carol @$DOMAIN, log in as alice... (+dave erin frank: tests)
  passwords   $SECRETS/<user>
  CA          $CADIR/ca.pem (for localhost)
  mailboxes   $MAILROOT/<user>/Maildir
  logs        $LOGDIR/
  try         swaks --server 127.0.0.1:$SMTP_PORT --to alice@$DOMAIN
EOF
}

# cmd_start: start whatever is not running, wait for every port, print the summary
cmd_start()
{
	local name port down
	lock
	if use_recorded_base; then
		if [ -n "$BASE_REQ" ] && [ "$BASE_REQ" != "$REC_BASE" ]; then
			die "cannot start on base $BASE_REQ: the lab in '$LAB' runs on base $REC_BASE (stop it first)"
		fi
		if [ "$REC_KIND" != "$SMTP_KIND" ]; then
			[ -n "${MAILBENCH_LAB_SMTP:-}" ] &&
				warn "the lab's SMTP server is $REC_KIND, not $SMTP_KIND (restart to change)"
			SMTP_KIND=$REC_KIND
		fi
		if ! grep -qx "users=$USERS" "$RECORD" 2>/dev/null; then
			# a lab started by an older lab.sh: its users differ, start it afresh
			say "the lab's users changed: restarting it"
			stop_all >/dev/null
		elif smtp_alive && dovecot_alive; then
			say "mailbench lab already running in $LAB (base $BASE)"
			[ "$QUIET" = 1 ] || summary | tail -n +2
			return 0
		fi
	fi
	need openssl openssl
	need faketime faketime
	need dovecot dovecot-imapd
	need doveadm dovecot-core
	[ -x /usr/lib/dovecot/imap ] || die "cannot find Dovecot's IMAP server: install dovecot-imapd"
	[ -x /usr/lib/dovecot/pop3 ] || die "cannot find Dovecot's POP3 server: install dovecot-pop3d"
	[ -x "$PY" ] || die "cannot find '$PY': install the Debian package python3"
	[ "$SMTP_KIND" = postfix ] && need postfix postfix

	make_dirs
	make_secrets
	make_certs
	make_users_file
	local dc_changed=0 pf_changed=0
	dovecot_conf | write_if_changed "$DCCONF/dovecot.conf" 0644 && dc_changed=1
	if [ "$SMTP_KIND" = postfix ]; then
		postfix_main_cf | write_if_changed "$PFCONF/main.cf" 0644 && pf_changed=1
		postfix_master_cf | write_if_changed "$PFCONF/master.cf" 0644 && pf_changed=1
	fi

	# a port taken by someone else would make a server fail obscurely later
	if ! smtp_alive; then
		for port in $SMTP_PORT $SUBMISSION_PORT $SMTPS_PORT; do
			port_up "$port" && die "cannot start SMTP: port $port is already in use (another lab? set MAILBENCH_LAB_BASE)"
		done
	fi
	if ! dovecot_alive; then
		for port in $IMAP_PORT $IMAPS_PORT $POP3_PORT $POP3S_PORT; do
			port_up "$port" && die "cannot start Dovecot: port $port is already in use (another lab? set MAILBENCH_LAB_BASE)"
		done
	fi

	printf 'base=%s\nsmtp=%s\nusers=%s\n' "$BASE" "$SMTP_KIND" "$USERS" >"$RECORD"
	REC_KIND=$SMTP_KIND

	# Postfix first: it creates private/, where Dovecot puts its auth socket for it
	if smtp_alive; then
		[ "$pf_changed" = 1 ] && postfix -c "$PFCONF" reload >/dev/null 2>&1
	elif [ "$SMTP_KIND" = postfix ]; then
		postfix_start || die "cannot start Postfix (log: $LOGDIR/postfix.log)"
	else
		aiosmtpd_start || die "cannot start lab-smtpd.py (log: $LOGDIR/smtpd.log)"
	fi
	if dovecot_alive; then
		[ "$dc_changed" = 1 ] && kill -HUP "$(pid_from "$DCBASE/master.pid")"
	else
		dovecot_start || {
			stop_all >/dev/null 2>&1
			die "cannot start Dovecot (log: $LOGDIR/dovecot.log)"
		}
	fi

	# bounded wait for every port
	for _ in $(seq 1 100); do
		down=
		while read -r name port; do
			port_up "$port" || down="$down $name:$port"
		done < <(all_ports)
		[ -z "$down" ] && break
		sleep 0.1
	done
	if [ -n "$down" ]; then
		echo "$PROG: cannot start the lab: ports still down after 10 s:$down" >&2
		log_tail "$LOGDIR/dovecot.log"
		case $SMTP_KIND in
		postfix) log_tail "$LOGDIR/postfix.log" ;;
		*) log_tail "$LOGDIR/smtpd.log" ;;
		esac
		stop_all >/dev/null 2>&1
		exit 1
	fi
	[ "$QUIET" = 1 ] || summary
}

# stop_pids WHAT MASTERPID PIDS...: wait (bounded) for a stopped master and its children
stop_pids()
{
	local what=$1 left
	shift
	for _ in $(seq 1 50); do
		left=$(live_pids "$@")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	warn "$what did not stop in 5 s; killing" $left
	# shellcheck disable=SC2086
	kill -KILL $left 2>/dev/null
	sleep 0.2
	return 0
}

# stop_all: stop this lab's servers and only those
stop_all()
{
	local pid kids kind stopped=
	kind=${REC_KIND:-$SMTP_KIND}
	if pid=$(pid_from "$QUEUE/pid/master.pid") &&
		pid_alive "$QUEUE/pid/master.pid" master "MAIL_CONFIG=$PFCONF"; then
		kids=$(descendants "$pid")
		postfix -c "$PFCONF" stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null
		# shellcheck disable=SC2086
		stop_pids Postfix "$pid" $kids
		stopped="$stopped postfix"
	fi
	if pid=$(pid_from "$RUN/smtpd.pid") && pid_alive "$RUN/smtpd.pid" "--pidfile $RUN/smtpd.pid"; then
		kill -TERM "$pid" 2>/dev/null
		stop_pids lab-smtpd.py "$pid"
		stopped="$stopped aiosmtpd"
	fi
	rm -f "$RUN/smtpd.pid"
	if pid=$(pid_from "$DCBASE/master.pid") && dovecot_alive; then
		kids=$(descendants "$pid")
		kill -TERM "$pid" 2>/dev/null
		# shellcheck disable=SC2086
		stop_pids Dovecot "$pid" $kids
		stopped="$stopped dovecot"
	fi
	: "$kind"
	echo "${stopped# }"
}

# cmd_stop: stop the lab; nothing running is fine
cmd_stop()
{
	local stopped
	[ -d "$LAB" ] || {
		say "mailbench lab not running ($LAB does not exist)"
		return 0
	}
	lock
	stopped=$(stop_all)
	if [ -n "$stopped" ]; then
		say "mailbench lab stopped in $LAB ($stopped)"
	else
		say "mailbench lab not running in $LAB"
	fi
}

# cmd_status: each port up or down; 0 all up, 1 partly, 3 not running
cmd_status()
{
	local name port up=0 total=0 procs=0 state
	use_recorded_base
	smtp_alive && procs=$((procs + 1))
	dovecot_alive && procs=$((procs + 1))
	echo "mailbench lab in $LAB (base $BASE, smtp: ${REC_KIND:-$SMTP_KIND})"
	while read -r name port; do
		total=$((total + 1))
		if port_up "$port"; then
			state=up
			up=$((up + 1))
			[ "$procs" = 0 ] && state="up (not this lab's server)"
		else
			state=down
		fi
		printf '  %-11s 127.0.0.1:%-6s %s\n' "$name" "$port" "$state"
	done < <(all_ports)
	if [ "$procs" = 0 ]; then
		echo "not running"
		return 3
	fi
	if [ "$up" = "$total" ] && [ "$procs" = 2 ]; then
		echo "all up"
		return 0
	fi
	echo "partly running"
	return 1
}

# cmd_env: shell-sourceable KEY=value lines (values never need quoting)
cmd_env()
{
	local u
	use_recorded_base
	cat <<EOF
MAILBENCH_LAB_DIR=$LAB
MAILBENCH_LAB_BASE=$BASE
LAB_HOST=127.0.0.1
LAB_SMTP_PORT=$SMTP_PORT
LAB_SUBMISSION_PORT=$SUBMISSION_PORT
LAB_SMTPS_PORT=$SMTPS_PORT
LAB_IMAP_PORT=$IMAP_PORT
LAB_IMAPS_PORT=$IMAPS_PORT
LAB_POP3_PORT=$POP3_PORT
LAB_POP3S_PORT=$POP3S_PORT
LAB_CA=$CADIR/ca.pem
LAB_OTHER_CA=$CADIR/other-ca.pem
LAB_DOMAIN=$DOMAIN
LAB_USERS="$USERS"
LAB_SECRETS_DIR=$SECRETS
LAB_SMTP_SERVER=${REC_KIND:-$SMTP_KIND}
LAB_PID_FILES="$QUEUE/pid/master.pid $RUN/smtpd.pid $DCBASE/master.pid"
EOF
	for u in $USERS; do
		echo "LAB_MAILDIR_$u=$MAILROOT/$u/Maildir"
	done
}

# inbox_count USER: number of messages in USER's INBOX (new/ and cur/)
inbox_count()
{
	find "$MAILROOT/$1/Maildir/new" "$MAILROOT/$1/Maildir/cur" -maxdepth 1 -type f \
		2>/dev/null | wc -l
}

# cmd_seed: deliver sample messages to alice over the plain SMTP port
cmd_seed()
{
	local force=0 before want n
	[ "${1:-}" = --force ] && force=1
	[ $# -le 1 ] && { [ $# = 0 ] || [ "$force" = 1 ]; } || die "usage: $PROG seed [--force]"
	lock
	use_recorded_base || die "cannot seed: the lab in '$LAB' is not running (run: $PROG start)"
	port_up "$SMTP_PORT" || die "cannot seed: nothing answers on port $SMTP_PORT"
	before=$(inbox_count alice)
	if [ "$before" -gt 0 ] && [ "$force" = 0 ]; then
		say "alice's INBOX already has $before message(s): not seeding (use --force)"
		return 0
	fi
	[ -r "$HERE/lab-seed.py" ] || die "cannot find '$HERE/lab-seed.py'"
	n=$($PY "$HERE/lab-seed.py" --host 127.0.0.1 --port "$SMTP_PORT" --domain "$DOMAIN") ||
		die "cannot seed alice's INBOX over SMTP port $SMTP_PORT"
	want=$((before + n))
	for _ in $(seq 1 100); do
		[ "$(inbox_count alice)" -ge "$want" ] && break
		sleep 0.1
	done
	[ "$(inbox_count alice)" -ge "$want" ] ||
		die "cannot see the $n seeded messages in alice's INBOX after 10 s"
	say "seeded $n messages into alice's INBOX ($MAILROOT/alice/Maildir)"
}

usage()
{
	cat <<EOF
usage: $PROG start [-q] | stop | restart [-q] | status | env | seed [--force]
  start    start the lab's servers (idempotent) and print where everything is
  stop     stop every server of this lab
  status   each port up or down (exit 0 all up, 1 partly, 3 not running)
  env      shell variables describing the lab (eval "\$($PROG env)")
  seed     deliver sample messages to alice (only into an empty INBOX unless --force)
state directory: \$MAILBENCH_LAB_DIR (now $LAB)
base port:       \$MAILBENCH_LAB_BASE (now $BASE; SMTP is base+25, IMAP base+143, ...)
EOF
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
start | restart)
	[ "${1:-}" = -q ] && QUIET=1 && shift
	[ $# = 0 ] || die "usage: $PROG $cmd [-q]"
	if [ "$cmd" = restart ]; then
		q=$QUIET
		QUIET=1
		cmd_stop
		QUIET=$q
		REC_BASE=
		REC_KIND=
		exec 9>&-
	fi
	cmd_start
	;;
stop) [ $# = 0 ] || die "usage: $PROG stop"; cmd_stop ;;
status) [ $# = 0 ] || die "usage: $PROG status"; cmd_status ;;
env) [ $# = 0 ] || die "usage: $PROG env"; cmd_env ;;
seed) cmd_seed "$@" ;;
-h | --help | help) usage ;;
*)
	usage >&2
	exit 2
	;;
esac
