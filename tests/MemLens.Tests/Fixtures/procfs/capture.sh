#!/bin/bash
set -e
F=/work/wt-procfs/tests/MemLens.Tests/Fixtures/procfs
mkdir -p "$F"
sleep 300 & SP=$!
perl -e '$x = "a" x (64<<20); $| = 1; print "ready\n"; sleep 300' > /tmp/perl-ready-$$ & PP=$!
for i in $(seq 50); do grep -q ready /tmp/perl-ready-$$ 2>/dev/null && break; sleep 0.1; done
for f in status statm smaps_rollup stat cgroup; do cat /proc/$SP/$f > "$F/sleep.$f"; cat /proc/$PP/$f > "$F/perl64m.$f"; done
cat /proc/uptime > "$F/uptime"
cat /proc/self/mountinfo > "$F/mountinfo.hybrid-v1"
d=/sys/fs/cgroup/memory$(grep :memory: /proc/$SP/cgroup | cut -d: -f3)
cat $d/memory.stat > "$F/cgroup-v1.memory.stat"
cat $d/memory.usage_in_bytes > "$F/cgroup-v1.memory.usage_in_bytes"
cat $d/memory.limit_in_bytes > "$F/cgroup-v1.memory.limit_in_bytes"
ps -o pid=,rss=,vsz= -p $SP,$PP
kill $SP $PP
rm -f /tmp/perl-ready-$$
