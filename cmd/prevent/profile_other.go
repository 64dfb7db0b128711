//go:build !unix

package main

import "io"

// cpuProfileOnSignal profiles on a signal only where SIGUSR1 exists; elsewhere it does nothing.
func cpuProfileOnSignal(string, io.Writer) (stop func()) { return func() {} }
