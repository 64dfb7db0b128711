//go:build linux

package main

import (
	"os/exec"
	"runtime"
	"syscall"
)

// runChild runs cmd so that it is killed if prevent dies first: a backup or restore that is killed must
// not leave pg_dump or pg_restore running on behind it, writing a file or committing a restore that
// nothing checks. The signal is tied to the thread that started the child, so the goroutine keeps that
// thread until the child has exited.
func runChild(cmd *exec.Cmd) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	return cmd.Run()
}
