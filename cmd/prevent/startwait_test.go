package main

import (
	"testing"
	"time"
)

// beforeDeadline fires a minute before the test binary's deadline (go test -timeout), so that a test waiting
// for serve to start waits for the start itself, however loaded the machine, and still fails with its own
// message rather than the binary's panic. Without a deadline it never fires.
func beforeDeadline(t *testing.T) <-chan time.Time {
	d, ok := t.Deadline()
	if !ok {
		return nil
	}
	return time.After(max(time.Until(d)-time.Minute, time.Second))
}
