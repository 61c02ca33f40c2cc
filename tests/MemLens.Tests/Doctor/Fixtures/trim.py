#!/usr/bin/env python3
"""Trims a `memlens ... --json-lines` capture into a doctor fixture (see README.md next to this file).

Keeps one line every 3 s (and the last), only the metrics the doctor reads, and only GC events with the
fields the doctor reads ("details" only when false); events of a dropped line move to the next kept line
(each keeps its own "t").
Usage: trim.py CAPTURE.jsonl > FIXTURE.jsonl
"""
import json
import sys
from datetime import datetime

METRICS = {
    "process.memory.rss", "process.memory.anon", "process.memory.lazyfree", "process.threads",
    "process.memory.malloc_arenas", "process.memory.malloc_arenas.size",
    "container.memory.usage", "container.memory.limit", "container.memory.anon", "container.memory.file",
    "dotnet.gc.heap.size", "dotnet.gc.committed", "dotnet.gc.fragmented", "dotnet.gc.pinned",
    "dotnet.gc.loh.size", "dotnet.gc.poh.size", "dotnet.gc.allocated", "dotnet.gc.available",
    "go.memstats.sys", "go.memstats.heap_alloc", "go.memstats.heap_idle", "go.memstats.heap_released",
    "go.memstats.stack_inuse", "go.gc.heap.live",
}
EVENT_FIELDS = {
    "gc": ["t", "type", "generation", "kind", "details", "heap_before", "heap_after", "fragmented", "reason"],
    "go.gc": ["t", "type", "number", "heap_live", "heap_goal", "forced"],
}
STEP_SECONDS = 3.0


def seconds(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def main(path):
    lines = [json.loads(l) for l in open(path) if l.startswith("{")]
    kept_at = None
    pending = []
    for i, line in enumerate(lines):
        pending += [{k: e[k] for k in EVENT_FIELDS[e["type"]] if k in e and (k != "details" or e[k] is False)}
                    for e in line.get("events", []) if e.get("type") in EVENT_FIELDS]
        t = seconds(line["t"])
        if kept_at is not None and t - kept_at < STEP_SECONDS - 0.1 and i != len(lines) - 1:
            continue
        kept_at = t
        out = {"t": line["t"], "pid": line["pid"], "metrics": {k: v for k, v in line["metrics"].items() if k in METRICS}, "events": pending}
        pending = []
        print(json.dumps(out, separators=(",", ":"), ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
