#!/bin/sh
# demo.sh: mailbench against a lab of real mail servers, in one command.
#
#     ./demo.sh
#
# Installs the Debian packages it needs (when missing; root for that), builds
# mailbench in build/demo, starts the lab (Postfix and Dovecot on loopback, ports
# 10025, 10587, 10465, 10143, 10993, 10110, 10995, a throwaway CA), puts a handful of
# sample messages in alice's mailbox, fetches them into the cache and opens the
# full-screen interface on the built-in account 'lab' (alice). q quits; the lab keeps
# running until `build/demo/mailbench lab stop`.
set -u
cd "$(dirname "$0")" || exit 1
top=$(pwd)

scripts/deps.sh build || exit 1
scripts/deps.sh lab || exit 1
if [ ! -x build/demo/mailbench ] || [ configure.ac -nt build/demo/Makefile ]; then
	echo "demo.sh: building mailbench (a minute)"
	./autogen.sh >/dev/null 2>&1 || { ./autogen.sh; exit 1; }
	mkdir -p build/demo && cd build/demo || exit 1
	"$top/configure" -q >/dev/null || exit 1
	cd "$top" || exit 1
fi
make -s -C build/demo -j"$(nproc 2>/dev/null || echo 2)" >/dev/null || exit 1
mb="$top/build/demo/mailbench"

"$mb" lab start || exit 1
"$mb" lab seed >/dev/null || exit 1
"$mb" fetch --account lab >/dev/null || echo "demo.sh: the first fetch failed; press F in mailbench to try again"
exec "$mb" --account lab
