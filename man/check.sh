#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check the man pages: man/check.sh [TOP]
#
# TOP is the top of the repository (default: this script's ../). Prints one
# line per check, "ok - ..." or "FAIL - ...", then "# N passed, N failed",
# and exits non-zero if any check failed. The checks:
#  - an alias page is one line, ".so manN/PAGE.N", naming a page of man/
#    that is not an alias itself and whose NAME lists the alias;
#  - source pages are ASCII, start with their SPDX line, and their .TH
#    names the file;
#  - every page, aliases resolved, renders with groff -man -ww -z -Tutf8
#    without a word on stderr (a warning is a failure), and man --warnings
#    -l prints no warning;
#  - every symbol of userspace/libmailbox.map's global: lists has
#    man/SYMBOL.3, and every function a page's NAME lists has a page;
#  - every page has the sections its kind requires;
#  - the SYNOPSIS of every section 3 page declares each function its NAME
#    lists exactly as userspace/mailbox.h does;
#  - every reference to a mailbox page (mbox_*, mailbox(7), mboxctl(1)),
#    in SEE ALSO and elsewhere, names a page of man/.
#
# Needs bash, coreutils, sed, awk, groff-base and man-db; installs the
# last two with apt-get when groff or man is missing.
set -euo pipefail

top=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
man_dir=$top/man
map=$top/userspace/libmailbox.map
header=$top/userspace/mailbox.h

passed=0
failed=0

ok()
{
	echo "ok - $*"
	passed=$((passed + 1))
}

fail()
{
	echo "FAIL - $*"
	failed=$((failed + 1))
}

# check DESCRIPTION ERROR: ok if ERROR is empty, else FAIL with its lines.
check()
{
	if [ -z "$2" ]; then
		ok "$1"
	else
		fail "$1"
		printf '%s\n' "$2" | sed 's/^/#   /'
	fi
}

finish()
{
	echo "# $passed passed, $failed failed"
	if [ "$failed" -ne 0 ]; then
		exit 1
	fi
	exit 0
}

# groff and man, from groff-base and man-db, installed if missing.
need_tools()
{
	local sudo='' pkgs="groff-base man-db"

	if command -v groff >/dev/null && command -v man >/dev/null; then
		return 0
	fi
	echo "# installing $pkgs"
	if [ "$(id -u)" -ne 0 ]; then
		sudo=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # word splitting of $pkgs is wanted
	$sudo apt-get install -y --no-install-recommends $pkgs >/dev/null 2>&1 ||
		{ $sudo apt-get update >/dev/null &&
		  $sudo apt-get install -y --no-install-recommends $pkgs >/dev/null; } ||
		true
	command -v groff >/dev/null && command -v man >/dev/null
}

# C source on stdin without comments, continued lines joined, and
# preprocessor lines dropped.
strip_c()
{
	awk '
	{
		line = $0; out = ""
		while (line != "") {
			if (incomment) {
				i = index(line, "*/")
				if (!i) { line = ""; break }
				line = substr(line, i + 2); incomment = 0
			} else {
				i = index(line, "/*")
				if (!i) { out = out line; break }
				out = out substr(line, 1, i - 1) " "
				line = substr(line, i + 2); incomment = 1
			}
		}
		print out
	}' | sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' | grep -v '^[[:space:]]*#' || true
}

# Whitespace collapsed, none after "(" or before ")" and ",".
normalize()
{
	tr '\n\t' '  ' | sed -E 's/ +/ /g; s/\( /(/g; s/ \)/)/g; s/ ,/,/g; s/^ //; s/ $//'
}

# The body of section $2 of page $1 (the lines after its .SH up to the
# next .SH).
section_of()
{
	awk -v want="$2" '
	/^\.SH/ {
		name = $0
		sub(/^\.SH[ \t]*/, "", name); gsub(/"/, "", name)
		sub(/[ \t]+$/, "", name)
		in_it = (name == want)
		next
	}
	in_it' "$1"
}

# The NAME(N) references to mailbox pages in roff text on stdin.
mailbox_refs()
{
	sed -E 's/\\f(\[[^]]*\]|.)//g; s/\\[&|^]//g; s/\\ / /g; s/"//g; s/^\.[A-Za-z]+[ \t]*//' |
		grep -oE '(^|[^A-Za-z0-9_])(mbox_[A-Za-z0-9_]+|mailbox|mboxctl) *\([0-9][a-z]*\)' |
		sed -E 's/^[^A-Za-z0-9_]//; s/ //g' || true
}

# Is page $1 an alias (.so)?
is_alias()
{
	[[ $(head -n 1 "$1") =~ ^\.so[[:space:]] ]]
}

if [ ! -d "$man_dir" ]; then
	fail "$man_dir exists"
	finish
fi
if need_tools; then
	ok "groff and man are available"
else
	fail "groff and man are available (apt-get install groff-base man-db failed)"
	finish
fi

shopt -s nullglob
pages=("$man_dir"/*.[1-8])
shopt -u nullglob
if [ "${#pages[@]}" -eq 0 ]; then
	fail "man/ has pages"
	finish
fi

# The pages as man expects them, manN/PAGE.N, so that ".so man3/X.3"
# resolves from the top of the tree.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
for p in "${pages[@]}"; do
	f=${p##*/}
	mkdir -p "$tmp/man${f##*.}"
	cp "$p" "$tmp/man${f##*.}/$f"
done

# NAME entries of a source page: the words before "\-", comma-separated.
names_of()
{
	section_of "$1" NAME | tr '\n' ' ' | sed -E 's/\\-.*//; s/\\f.//g' |
		tr ',' '\n' | tr -d ' \t' | grep -v '^$' || true
}

n_alias=0
n_source=0
for p in "${pages[@]}"; do
	f=${p##*/}
	sec=${f##*.}
	stem=${f%.*}

	if is_alias "$p"; then
		n_alias=$((n_alias + 1))
		err=
		target=$(sed -n '1s/^\.so[[:space:]]*//p' "$p")
		if [ "$(wc -l < "$p")" -ne 1 ]; then
			err="more than the one .so line"
		elif [[ ! $target =~ ^man[1-8]/[A-Za-z0-9_.-]+\.[1-8]$ ]]; then
			err="'$target' is not manN/PAGE.N"
		elif [ "${target%%/*}" != "man${target##*.}" ]; then
			err="'$target': directory and section differ"
		elif [ ! -f "$man_dir/${target#*/}" ]; then
			err="'$target': no such page in man/"
		elif is_alias "$man_dir/${target#*/}"; then
			err="'$target' is an alias itself"
		elif ! grep -qxF "$stem" <<< "$(names_of "$man_dir/${target#*/}")"; then
			err="'$target' does not list $stem in its NAME"
		fi
		check "$f: alias of ${target:-?}" "$err"
		continue
	fi

	n_source=$((n_source + 1))
	# Source form: ASCII, SPDX line, .TH.
	case $sec in
	3) spdx='LGPL-2.1-or-later' ;;
	*) spdx='GPL-2.0' ;;
	esac
	err=
	if LC_ALL=C grep -q '[^[:print:][:space:]]' "$p"; then
		err="non-ASCII or control bytes: $(LC_ALL=C grep -n '[^[:print:][:space:]]' "$p" | cut -d: -f1 | tr '\n' ' ')"
	fi
	if [ "$(head -n 1 "$p")" != ".\\\" SPDX-License-Identifier: $spdx" ]; then
		err="${err:+$err; }first line is not '.\\\" SPDX-License-Identifier: $spdx'"
	fi
	th=$(grep -m 1 '^\.TH' "$p" || true)
	read -r _ th_title th_sec _ <<< "$th" || true
	upper=$(printf '%s' "$stem" | tr '[:lower:]' '[:upper:]')
	if [ "${th_title:-}" != "$upper" ] || [ "${th_sec:-}" != "$sec" ]; then
		err="${err:+$err; }.TH is '${th:-missing}', wants '.TH $upper $sec ...'"
	fi
	check "$f: ASCII source, SPDX line, .TH $upper $sec" "$err"

	# Sections its kind requires.
	case $sec in
	1) required=(NAME SYNOPSIS DESCRIPTION "EXIT STATUS" "SEE ALSO") ;;
	3) required=(NAME SYNOPSIS DESCRIPTION "RETURN VALUE" ERRORS "SEE ALSO") ;;
	*) required=(NAME DESCRIPTION "SEE ALSO") ;;
	esac
	have=$(sed -n 's/^\.SH[[:space:]]*//p' "$p" | sed 's/"//g; s/[[:space:]]*$//')
	missing=
	for s in "${required[@]}"; do
		grep -qxF "$s" <<< "$have" || missing="${missing:+$missing, }$s"
	done
	check "$f: has the sections of section $sec (${required[*]})" \
		"${missing:+missing: $missing}"

	# SEE ALSO, and every other reference, names existing pages.
	for where in "SEE ALSO" "the text"; do
		if [ "$where" = "SEE ALSO" ]; then
			refs=$(section_of "$p" "SEE ALSO" | mailbox_refs)
		else
			refs=$(mailbox_refs < "$p")
		fi
		dangling=
		n=0
		for r in $refs; do
			n=$((n + 1))
			name=${r%%(*}
			rsec=${r#*(}
			rsec=${rsec%)}
			[ -f "$man_dir/$name.$rsec" ] ||
				dangling="${dangling:+$dangling }$r"
		done
		check "$f: references to mailbox pages in $where exist ($n)" \
			"${dangling:+no page for: $dangling}"
	done
done

# Rendering: groff with every warning, and man-db, from the manN/ tree.
for p in "${pages[@]}"; do
	f=${p##*/}
	rel=man${f##*.}/$f
	if err=$(cd "$tmp" && groff -man -ww -z -Tutf8 -I "$tmp" -s "$rel" 2>&1 >/dev/null); then
		rc=0
	else
		rc=$?
	fi
	[ "$rc" -eq 0 ] || err="${err:+$err
}groff exit status $rc"
	check "$f: groff -man -ww -z -Tutf8 is silent" "$err"

	if err=$(cd "$tmp" && MANWIDTH=80 LC_ALL=C.UTF-8 MANPAGER=cat PAGER=cat \
		 man --warnings -l "$rel" 2>&1 >/dev/null); then
		rc=0
	else
		rc=$?
	fi
	[ "$rc" -eq 0 ] || err="${err:+$err
}man exit status $rc"
	check "$f: man --warnings -l is silent" "$err"
done

# Every exported symbol has a page: the global: lists of the version map.
if [ -r "$map" ]; then
	symbols=$(strip_c < "$map" | awk '
		/global:/ { g = 1; sub(/.*global:/, "") }
		/local:/ || /}/ { g = 0 }
		g { gsub(/[ \t;]/, ""); if ($0 != "") print }' | sort -u)
	missing=
	n=0
	for s in $symbols; do
		n=$((n + 1))
		[ -f "$man_dir/$s.3" ] || missing="${missing:+$missing }$s"
	done
	if [ "$n" -eq 0 ]; then
		fail "libmailbox.map: found no symbols in $map"
	else
		check "libmailbox.map: each of its $n symbols has man/SYMBOL.3" \
			"${missing:+no page for: $missing}"
	fi
else
	fail "libmailbox.map: $map is readable"
fi

# Every function a section 3 page's NAME lists is reachable, and declared
# in its SYNOPSIS as in mailbox.h.
if [ -r "$header" ]; then
	decls=$(strip_c < "$header" | normalize | tr ';' '\n')
else
	decls=
	fail "mailbox.h: $header is readable"
fi
for p in "${pages[@]}"; do
	f=${p##*/}
	if [ "${f##*.}" != 3 ] || is_alias "$p"; then
		continue
	fi
	names=$(names_of "$p")
	unreachable=
	for n in $names; do
		[ -f "$man_dir/$n.3" ] || unreachable="${unreachable:+$unreachable }$n"
	done
	check "$f: every function in NAME has a page (${names//$'\n'/ })" \
		"${unreachable:+no man/NAME.3 for: $unreachable}"

	[ -n "$decls" ] || continue
	synopsis=$(cd "$tmp" && groff -man -Tascii -P-cbou "man3/$f" 2>/dev/null |
		awk '/^SYNOPSIS/ { s = 1; next } /^[^ \t]/ { s = 0 } s' | normalize)
	err=
	for n in $names; do
		proto=$(grep -oE "[A-Za-z_][A-Za-z0-9_ ]*[ *]$n\([^()]*\)$" <<< "$decls" |
			head -n 1 || true)
		if [ -z "$proto" ]; then
			err="${err:+$err
}$n: not declared in mailbox.h"
		elif [[ $synopsis != *"$proto;"* ]]; then
			err="${err:+$err
}$n: SYNOPSIS lacks '$proto;'"
		fi
	done
	check "$f: SYNOPSIS declares its functions as mailbox.h does" "$err"
done

echo "# $n_source pages, $n_alias aliases"
finish
