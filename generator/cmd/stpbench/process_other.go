//go:build !unix

package main

import "os"

// syncDisk does nothing where there is no sync(2): builds are then timed
// with whatever the page cache still holds.
func syncDisk() {}

// peakRSS is not known here; the bench prints 0 MiB.
func peakRSS(*os.ProcessState) int64 { return 0 }
