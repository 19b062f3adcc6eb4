# shellcheck shell=bash
# tests/lib/sympafile.sh: reading what listfeed writes, the Sympa files and
# the lists' entries (sourced by common.sh; see its header).

# sympa_body FILE: the member lines of a file in the sympa format, without
# the signed header (six "# " lines, lib/sympafile.h).
sympa_body() {
	awk 'NR <= 6 && /^# / { next } { print }' "$1"
}

# sympa_header FILE KEY: the value of "# KEY: VALUE" in its header.
sympa_header() {
	sed -n "1,6s/^# $2: //p" "$1"
}

# feed_entries FEED: every list's live entry (FEED/l/NAME/entry.json,
# lib/manifest.h) as one JSON object {"NAME": entry without "name"}, on
# one line: what the summary manifest.json no longer holds.
feed_entries() {
	python3 - "$1" <<-'PY'
	import json, os, sys
	feed = sys.argv[1]
	out = {}
	for n in sorted(os.listdir(os.path.join(feed, "l"))):
	    p = os.path.join(feed, "l", n, "entry.json")
	    if n.startswith(".") or not os.path.exists(p):
	        continue
	    with open(p) as f:
	        e = json.load(f)
	    del e["name"]
	    out[n] = e
	print(json.dumps(out, sort_keys=True))
	PY
}
