#!/bin/bash
# secrets_scan.sh BUILDDIR...: after `make check`, look for the lab's passwords in every
# file the test suite produced (caches and their WAL files, exported transcripts,
# terminal captures, logs, command output): the passwords themselves, the base64 of
# "\0user\0password" (AUTH PLAIN) and of the password alone (AUTH LOGIN). The labs'
# own state (where the secrets live) is not searched. TAP output; exit 1 on a find.
n=0
failed=0
for dir in "$@"; do
	for secrets in "$dir"/tests/lab-state*/secrets; do
		[ -d "$secrets" ] || continue
		for f in "$secrets"/*; do
			user=$(basename "$f")
			pw=$(head -n 1 "$f")
			[ -n "$pw" ] || continue
			for needle in "$pw" "$(printf '\0%s\0%s' "$user" "$pw" | base64 -w0)" \
				"$(printf '%s' "$pw" | base64 -w0)"; do
				n=$((n + 1))
				hits=$(grep -r -a -l -F -e "$needle" "$dir" --exclude-dir='lab-state*' \
					--exclude-dir=fuzz-work --exclude-dir=bench-lab 2>/dev/null | head -n 5)
				if [ -n "$hits" ]; then
					failed=$((failed + 1))
					echo "not ok $n - a secret of $user (or its base64) appears in files of $dir"
					printf '#   %s\n' $hits
				else
					echo "ok $n - no secret of $user in $(basename "$dir")'s test files"
				fi
			done
		done
	done
done
files=$(find "$@" -path '*lab-state*' -prune -o -type f -print 2>/dev/null | wc -l)
echo "# searched $files files for $n secret forms"
echo "1..$n"
[ "$n" -gt 0 ] && [ "$failed" = 0 ]
