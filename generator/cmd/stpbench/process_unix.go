//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// syncDisk writes back what earlier runs left in the page cache, so that a
// build is timed on its own.
func syncDisk() { syscall.Sync() }

// peakRSS is a finished process's peak resident memory in bytes.
func peakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss) // bytes
	}
	return int64(ru.Maxrss) << 10 // Linux and the BSDs: kilobytes
}
