// Command gctrace allocates garbage for about two seconds so that, run with
// GODEBUG=gctrace=1,scavtrace=1, it prints real GC and scavenger trace lines
// for MemLens's parser fixtures. It also forces one GC (a "(forced)" gc line)
// and calls debug.FreeOSMemory once (a forced scavenge).
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"
)

var sink [][]byte

func main() {
	fmt.Println("gctrace sample: allocating for 2 s")
	// What the runtime was given, so that a test can check that memlens run kept the user's settings.
	fmt.Println("GODEBUG=" + os.Getenv("GODEBUG"))
	deadline := time.Now().Add(2 * time.Second)
	forced, freed := false, false
	start := time.Now()
	for time.Now().Before(deadline) {
		// Keep up to 64 MiB live so the heap grows, then drop it: garbage for the GC.
		sink = append(sink, make([]byte, 64<<10))
		if len(sink) >= 1024 {
			sink = nil
		}
		if !forced && time.Since(start) > 700*time.Millisecond {
			runtime.GC()
			forced = true
		}
		if !freed && time.Since(start) > 1400*time.Millisecond {
			sink = nil
			debug.FreeOSMemory()
			freed = true
		}
	}
	fmt.Fprintln(os.Stderr, "gctrace sample: done")
}
