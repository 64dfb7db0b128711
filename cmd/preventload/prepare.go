package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// prepare loads the demo partnership into the store (by starting serve --demo once) and adds synthetic
// referrals with `prevent demo --scale`, so that a run measures a store of a known size.
func prepare(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("preventload prepare", flag.ContinueOnError)
	var s store
	s.flags(fs)
	scale := fs.Int("scale", 10000, "how many synthetic referrals to add to the demo partnership")
	wait := fs.Duration("start-timeout", 10*time.Minute, "how long to wait for serve to load the demo and answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := s.check(); err != nil {
		return err
	}
	if *scale < 0 {
		return errors.New("--scale must not be negative")
	}
	start := time.Now()
	srv, err := startServer(ctx, s, nil, *wait)
	if err != nil {
		return err
	}
	srv.stop()
	fmt.Printf("demo partnership loaded in %s\n", time.Since(start).Round(time.Millisecond))
	if *scale == 0 {
		return nil
	}
	start = time.Now()
	cmd := exec.CommandContext(ctx, s.prevent, append([]string{"demo", "--scale", fmt.Sprint(*scale)}, s.args()...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("prevent demo --scale %d: %w", *scale, err)
	}
	fmt.Printf("%d synthetic referrals added in %s\n", *scale, time.Since(start).Round(time.Millisecond))
	return nil
}
