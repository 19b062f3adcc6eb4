#!/bin/bash
# listfeed.fcgi behind nginx: /-/status (JSON) and /-/metrics (Prometheus
# text): generation, run, lists with their counts, requests per status,
# each client seeing only its own lists.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$TOP/tests/lib/fcgi.sh"

fcgi_site_shared || bail_out "listfeed.fcgi behind nginx did not start"
req none /-/status >/dev/null   # a 403 for the request counters

check_eq "admin: /-/status 200" 200 "$(req admin /-/status)"
check "status: valid JSON" python3 -m json.tool "$T/body"
check "status: generation, lists with counts" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["generation"] == 1, d
assert d["result"] == "ok", d
assert d["lists"]["deelnemers"] == {"count": 3, "mail": 2, "digest": 1, "changed": 1,
    "changed_at": "2026-11-25T20:00:01Z"}, d
assert "bestuur" in d["lists"], d
assert d["run"]["exit"] == 0, d' "$T/body"
check_grep "status: application/json" '^[Cc]ontent-[Tt]ype: application/json' "$T/hdr"
req sympa /-/status >/dev/null
check "status (sympa): only its lists" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d["lists"]) == ["deelnemers"], d' "$T/body"

check_eq "admin: /-/metrics 200" 200 "$(req admin /-/metrics)"
check_grep "metrics: generation" '^listfeed_generation 1$' "$T/body"
check_grep "metrics: generated timestamp" '^listfeed_generated_timestamp_seconds [0-9]+\.[0-9]{3}$' "$T/body"
check_grep "metrics: subscribers" '^listfeed_list_subscribers\{list="deelnemers"\} 3$' "$T/body"
check_grep "metrics: request counters" '^listfeed_requests_total\{code="200"\} [1-9][0-9]*$' "$T/body"
check_grep "metrics: 403 counted" '^listfeed_requests_total\{code="403"\} [1-9][0-9]*$' "$T/body"
check_grep "metrics: run exit code" '^listfeed_run_exit_code 0$' "$T/body"
check "metrics: every line is a comment or a sample" python3 -c '
import re, sys
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    assert re.fullmatch(r"# (HELP|TYPE) listfeed_\w+ .+|listfeed_\w+(\{\w+=\"[^\"]*\"\})? -?[0-9.]+", line), line' "$T/body"
req sympa /-/metrics >/dev/null
check_no_grep "metrics (sympa): no hidden list" 'bestuur' "$T/body"

fcgi_site_done
done_testing
