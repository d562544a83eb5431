# SPDX-License-Identifier: GPL-2.0
#
# exports.awk - the dynamic symbols libmailbox.map makes libmailbox.so
# export, one "name@@NODE" (default version) or "name@NODE" (older version
# kept for compatibility) a line, in the format of nm -D. A symbol listed in
# several nodes has its default in the last of them (libmailbox.c binds the
# versions with .symver). Run by `make check`; unsorted.
{
	line = $0
	if (incomment) {
		if (!sub(/.*\*\//, "", line))
			next
		incomment = 0
	}
	gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", line)
	if (sub(/\/\*.*/, "", line))
		incomment = 1
	if (line ~ /^[ \t]*[A-Za-z_][A-Za-z0-9_.]*[ \t]*\{/) {
		node = line
		gsub(/[ \t{]/, "", node)
	} else if (line ~ /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*;/ &&
		   line !~ /^[ \t]*(global|local)/) {
		sym = line
		gsub(/[ \t;]/, "", sym)
		count[sym]++
		ver[sym, count[sym]] = node
	}
}
END {
	for (sym in count)
		for (i = 1; i <= count[sym]; i++)
			print sym (i == count[sym] ? "@@" : "@") ver[sym, i]
}
