// Command preventload measures the service under load on this machine. It starts `prevent serve` itself on a
// loopback address, signs in demo accounts of several roles, and runs a closed loop of simulated users (each
// sends its next request as soon as the last is answered, unless a think time is given) over a mix of work
// lists, case pages, search, the API's case list and new referrals, bounded in time and in count. It reports
// throughput, p50/p95/p99 per kind of request, errors, the machine's load average and the server's peak
// resident memory. docs/performance.md explains how to use it and what the figures mean.
//
//	preventload prepare --prevent BIN (--data DIR | --database URL) --scale N
//	preventload run     --prevent BIN (--data DIR | --database URL) [--users 64] [--duration 60s] [--requests N]
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "preventload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: preventload prepare|run [flags] (preventload run -h for the flags)")
	}
	switch args[0] {
	case "prepare":
		return prepare(ctx, args[1:])
	case "run":
		return load(ctx, args[1:])
	default:
		return fmt.Errorf("unknown command %q: use prepare or run", args[0])
	}
}
