#!/usr/bin/env bash
# fuzz-corpus.sh SRC DEST MAXFILES MAXBYTES
#
# Copies the corpus Go's fuzzer found (SRC, a directory under
# $(go env GOCACHE)/fuzz) into a package's committed corpus (DEST, its
# testdata/fuzz/FuzzName), where every `go test` then runs it. A corpus of
# more than MAXFILES files or MAXBYTES bytes is cut to a deterministic
# subset: the smallest files, ties broken by name, as many as fit both
# limits. Files already in DEST are kept; a file is named by its content's
# hash, so copying twice changes nothing.
set -euo pipefail

src=$1 dest=$2 maxfiles=$3 maxbytes=$4
if [ ! -d "$src" ]; then
	echo "fuzz-corpus: $src: no corpus found"
	exit 0
fi
mkdir -p "$dest"
files=0 bytes=0 copied=0 total=0
while read -r size name; do
	total=$((total + 1))
	if [ "$files" -ge "$maxfiles" ] || [ $((bytes + size)) -gt "$maxbytes" ]; then
		continue
	fi
	files=$((files + 1)) bytes=$((bytes + size))
	if [ ! -e "$dest/$name" ]; then
		cp "$src/$name" "$dest/$name"
		copied=$((copied + 1))
	fi
done < <(find "$src" -maxdepth 1 -type f -printf '%s %f\n' | LC_ALL=C sort -k1,1n -k2,2)
echo "fuzz-corpus: $dest: $copied new of $files kept ($total found, at most $maxfiles files and $maxbytes bytes)"
