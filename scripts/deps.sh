#!/bin/sh
# deps.sh: install the Debian packages mailbench needs, only the missing ones.
#
#     scripts/deps.sh [build|lab|test|all]      (default: all)
#
# build: compile mailbench; lab: run the lab's mail servers (tests/lab/lab.sh); test: the
# test tools.  Does nothing, quickly, when everything is installed.  Needs root to install:
# as a normal user it names the missing packages and exits 1.  Mail daemons are installed
# with a policy-rc.d that forbids starting them (they would listen on 0.0.0.0), and postfix
# is preseeded to "No configuration": the lab runs its own private instances.
set -u

BUILD="autoconf automake libtool pkg-config make gcc libncurses-dev libsqlite3-dev libetpan-dev
libgnutls28-dev libdpkg-perl"
LAB="dovecot-imapd dovecot-pop3d postfix python3-aiosmtpd openssl swaks faketime"
TEST="clang clang-format tmux valgrind libclang-rt-14-dev python3-pyte"

case ${1:-all} in
build) want=$BUILD ;;
lab) want=$LAB ;;
test) want=$TEST ;;
all) want="$BUILD $LAB $TEST" ;;
-h | --help)
	echo "usage: $0 [build|lab|test|all]"
	exit 0
	;;
*)
	echo "usage: $0 [build|lab|test|all]" >&2
	exit 2
	;;
esac

# one dpkg-query for every package: installed ones print "ok installed"
missing=
# shellcheck disable=SC2086 # the package lists are meant to be split
status=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $want 2>/dev/null)
for p in $want; do
	if ! printf '%s\n' "$status" | grep -qx "$p installed"; then
		missing="$missing $p"
	fi
done
missing=${missing# }
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing Debian packages: $missing" >&2
	echo "deps.sh: as root, run: $0 ${1:-all}  (or: apt-get install $missing)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
case " $missing " in
*" postfix "*)
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections ||
		exit 1
	;;
esac

# keep daemons from starting on install; remove the guard whatever happens
guard=/usr/sbin/policy-rc.d
own_guard=0
if [ ! -e "$guard" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$guard" && chmod 0755 "$guard" && own_guard=1
	trap 'rm -f "$guard"' EXIT INT TERM
fi

echo "deps.sh: installing $missing"
log=$(mktemp) || exit 1
apt_get() { apt-get -q -y -o Dpkg::Use-Pty=0 "$@"; }
# shellcheck disable=SC2086
if ! apt_get install $missing >"$log" 2>&1; then
	# a stale package list is the usual cause: refresh it once and retry
	apt_get update >>"$log" 2>&1
	# shellcheck disable=SC2086
	if ! apt_get install $missing >>"$log" 2>&1; then
		tail -n 20 "$log" >&2
		rm -f "$log"
		echo "deps.sh: cannot install: $missing" >&2
		exit 1
	fi
fi
rm -f "$log"
[ "$own_guard" = 1 ] && rm -f "$guard"
exit 0
