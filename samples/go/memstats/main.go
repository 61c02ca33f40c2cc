// Command memstats serves net/http/pprof and expvar on a loopback port, so that MemLens can poll
// runtime.MemStats from /debug/pprof/heap?debug=1 or /debug/vars without any code of its own in the
// program. Before answering either of those two endpoints it reads runtime.MemStats itself and prints
//
//	memstats {"Sys":…,"HeapSys":…,…,"GCCPUFraction":…}
//
// on standard output, so that tests can compare what MemLens parsed with the program's own figures for
// the same request. Its other lines: "listening http://127.0.0.1:PORT" once the port is open, and
// "freeing" and "freed" around the free of -free-after.
package main

import (
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

const blockSize = 64 << 10

var (
	mu   sync.Mutex
	live [][]byte // the -alloc blocks, kept reachable until -free-after
	sink []byte   // churn garbage lands here so the compiler cannot drop the allocation
)

// figures are the runtime.MemStats fields MemLens reads, named as in Go.
type figures struct {
	Sys           uint64
	HeapSys       uint64
	HeapAlloc     uint64
	HeapInuse     uint64
	HeapIdle      uint64
	HeapReleased  uint64
	StackInuse    uint64
	NextGC        uint64
	NumGC         uint32
	PauseTotalNs  uint64
	GCCPUFraction float64
}

// printing prints the program's own MemStats, then lets the real handler answer (which reads them again).
func printing(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s runtime.MemStats
		runtime.ReadMemStats(&s)
		line, _ := json.Marshal(figures{s.Sys, s.HeapSys, s.HeapAlloc, s.HeapInuse, s.HeapIdle, s.HeapReleased,
			s.StackInuse, s.NextGC, s.NumGC, s.PauseTotalNs, s.GCCPUFraction})
		mu.Lock()
		fmt.Printf("memstats %s\n", line) // os.Stdout is unbuffered: one write per line
		mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (port 0: a free port)")
	allocMiB := flag.Int("alloc", 64, "MiB to allocate in 64 KiB blocks and keep live")
	churn := flag.Bool("churn", false, "allocate garbage continuously (~20 MiB/s) so that GCs happen")
	freeAfter := flag.Duration("free-after", 0, "drop the live blocks, GC and return memory to the OS after this delay (0: never)")
	exitAfter := flag.Duration("exit-after", 0, "exit after this delay (0: run until killed)")
	listenAfter := flag.Duration("listen-after", 0, "wait this long before listening, like a server slow to start (0: at once)")
	flag.Parse()

	for i := 0; i < *allocMiB*(1<<20)/blockSize; i++ {
		b := make([]byte, blockSize)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1 // touch every page so the blocks are resident, not only reserved
		}
		live = append(live, b)
	}

	// Our own mux: the heap profile and expvar are wrapped, the rest of pprof is served as usual.
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/debug/pprof/heap", printing(pprof.Handler("heap")))
	mux.Handle("/debug/vars", printing(expvar.Handler()))

	time.Sleep(*listenAfter)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memstats:", err)
		os.Exit(1)
	}
	fmt.Printf("listening http://%s\n", ln.Addr())

	if *churn {
		go func() {
			// 3 × 64 KiB every 10 ms ≈ 19 MiB/s of garbage.
			for range time.Tick(10 * time.Millisecond) {
				for i := 0; i < 3; i++ {
					sink = make([]byte, blockSize)
				}
			}
		}()
	}
	if *freeAfter > 0 {
		time.AfterFunc(*freeAfter, func() {
			mu.Lock()
			fmt.Println("freeing") // before the first page goes back: a sample read earlier holds the whole heap
			mu.Unlock()
			live = nil
			runtime.GC()
			debug.FreeOSMemory()
			mu.Lock()
			fmt.Println("freed")
			mu.Unlock()
		})
	}
	if *exitAfter > 0 {
		time.AfterFunc(*exitAfter, func() { os.Exit(0) })
	}

	// Without -churn nothing allocates from here on but the HTTP requests themselves, so the two reads of
	// MemStats in one request (ours, then the handler's) see the same figures but for a few KiB.
	if err := http.Serve(ln, mux); err != nil {
		fmt.Fprintln(os.Stderr, "memstats:", err)
		os.Exit(1)
	}
}
