//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package database

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// LockDir takes an exclusive advisory lock (flock) on the directory dir, without waiting: it returns
// ErrDirLocked when another process holds it. The lock goes with the process, so a process that is
// killed leaves no stale lock. On platforms without flock it does not lock.
func LockDir(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("database: lock %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrDirLocked
		}
		return nil, fmt.Errorf("database: lock %s: %w", dir, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
