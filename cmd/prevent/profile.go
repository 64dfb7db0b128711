//go:build unix

package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"sync"
	"syscall"
)

// cpuProfileOnSignal, when path is not empty, writes a CPU profile to path from the moment the process receives
// SIGUSR1 until the returned function is called (at exit), so that a load test profiles the period it measures
// and not the start. It is a diagnostic for performance work (docs/performance.md); with path empty it does
// nothing.
func cpuProfileOnSignal(path string, stderr io.Writer) (stop func()) {
	if path == "" {
		return func() {}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	var mu sync.Mutex
	var f *os.File
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
		case <-done:
			return
		}
		mu.Lock()
		defer mu.Unlock()
		out, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(stderr, "prevent: CPU profile:", err)
			return
		}
		if err := pprof.StartCPUProfile(out); err != nil {
			fmt.Fprintln(stderr, "prevent: CPU profile:", err)
			out.Close()
			return
		}
		f = out
	}()
	return func() {
		close(done)
		signal.Stop(sig)
		mu.Lock()
		defer mu.Unlock()
		if f != nil {
			pprof.StopCPUProfile()
			f.Close()
		}
	}
}
