#!/usr/bin/env python3
"""Feeds in the per-list layout (doc/architecture.md), for the responder's
tests, without listfeed-gen, a database or gpg.

  feedtool.py publish FEED SUMMARY.json
      publishes SUMMARY (manifest.json's format, with "lists": every
      list's entry without its name): each list whose entry differs from
      its live one gets v/NAME/GEN (GEN: the summary's generation) with
      its files taken from FEED/src/PATH when there, else hard-linked from
      its live version, entry.json last, l/NAME switched by rename; the
      fixed links lists/... and plain/...; FEED/manifest.json = the
      summary without "lists" (lib/manifest.h).
  feedtool.py gen SOCKET FEED MODE CHANGES.json
      a stand-in generator: each datagram on SOCKET publishes the next
      generation, in which each list of CHANGES ({list: {field: value}})
      changed with those fields, then run.json.  MODE: ok, held (exit 3),
      silent (receives, never finishes a run), deaf (never reads).
"""
import json
import os
import socket
import sys
import time


def put(dirpath, name, obj):
    tmp = os.path.join(dirpath, ".tmp-" + name)
    with open(tmp, "w") as f:
        json.dump(obj, f, sort_keys=True, indent=1)
    os.rename(tmp, os.path.join(dirpath, name))


def live(feed, name):
    """(G, entry) of the live version of name, or (0, None)."""
    try:
        target = os.readlink(os.path.join(feed, "l", name))
    except FileNotFoundError:
        return 0, None
    g = int(os.path.basename(target))
    try:
        with open(os.path.join(feed, "v", name, str(g), "entry.json")) as f:
            return g, json.load(f)
    except FileNotFoundError:
        return g, None


def publish_list(feed, name, entry, gen):
    g, old = live(feed, name)
    entry = dict(entry, name=name)
    if old == entry:
        return
    vdir = os.path.join(feed, "v", name, str(gen))
    os.makedirs(vdir, exist_ok=True)
    for f in entry.get("files", {}).values():
        rel = f["path"]
        dst = os.path.join(vdir, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        src = os.path.join(feed, "src", rel)
        if not os.path.exists(src):
            src = os.path.join(feed, "v", name, str(g), rel)
        if not os.path.exists(dst):
            os.link(src, dst)
        fixed = os.path.join(feed, rel)
        if not os.path.lexists(fixed):
            os.makedirs(os.path.dirname(fixed), exist_ok=True)
            up = "../" * rel.count("/")
            os.symlink(up + "l/" + name + "/" + rel, fixed)
    put(vdir, "entry.json", entry)
    os.makedirs(os.path.join(feed, "l"), exist_ok=True)
    tmp = os.path.join(feed, "l", ".tmp-" + name)
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink("../v/%s/%d" % (name, gen), tmp)
    os.rename(tmp, os.path.join(feed, "l", name))


def publish(feed, summary):
    for name, entry in sorted(summary.get("lists", {}).items()):
        publish_list(feed, name, entry, summary["generation"])
    put(feed, "manifest.json",
        {k: v for k, v in summary.items() if k != "lists"})


def gen(sock_path, feed, mode, changes):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(sock_path)
    if mode == "deaf":
        while True:
            time.sleep(3600)
    while True:
        msg = s.recv(256).decode()
        with open(os.path.join(feed, "..", "trigger.log"), "a") as f:
            f.write(msg)
        if mode == "silent":
            continue
        started = int(time.time() * 1000)
        time.sleep(0.2)
        with open(os.path.join(feed, "manifest.json")) as f:
            m = json.load(f)
        g = m["generation"] = m["generation"] + 1
        m["lists"] = {}
        for name, fields in changes.items():
            entry = live(feed, name)[1]
            del entry["name"]
            m["lists"][name] = dict(entry, **fields, changed=g)
        publish(feed, m)
        put(feed, "run.json", {
            "started_ms": started, "finished_ms": int(time.time() * 1000),
            "exit": 3 if mode == "held" else 0,
            "result": "held" if mode == "held" else "ok",
            "message": "", "generation": g})


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "publish":
        with open(sys.argv[3]) as f:
            publish(sys.argv[2], json.load(f))
    elif len(sys.argv) == 6 and sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
