// Command stpbench times full builds of the sample portal and of synthetic
// portals, the dev server's edit-to-reload and, with -hugo, Hugo on the
// same documents, and prints a table:
//
//	go run ./generator/cmd/stpbench [-sizes sample,10000,100000] [-ram-runs 3] [-hugo PATH] [-stp PATH]
//
// It times the stp binary a user runs: the one -stp names, or one it
// builds from -root with go build (and so with its profile-guided
// optimisation). README.md beside this file says what is measured and how,
// and holds the latest figures.
package main

import (
	"os"
	"runtime/debug"
)

func main() {
	tuneGC()
	os.Exit(runBench(os.Args[1:], os.Stdout, os.Stderr))
}

// tuneGC gives this process the garbage collector settings stp gives
// itself (generator/cmd/stp/main.go), so that the dev server, which runs in
// this process, and the CPU gauge are timed as under `stp serve`.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(3 << 30)
	}
}
