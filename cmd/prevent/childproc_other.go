//go:build !linux

package main

import "os/exec"

// runChild runs cmd. Only Linux can have a child killed when its parent dies; elsewhere a killed backup
// or restore may leave pg_dump or pg_restore running until it finishes.
func runChild(cmd *exec.Cmd) error { return cmd.Run() }
