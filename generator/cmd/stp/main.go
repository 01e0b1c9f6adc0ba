// Command stp builds, checks and serves a service trust portal.
//
// Each subcommand lives in its own file and adds itself to commands from an
// init function, so that main stays a dispatcher.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
)

// command is one `stp NAME` subcommand.
type command struct {
	summary string
	// run gets the arguments after the subcommand's name and returns the
	// process exit code.
	run func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func main() {
	tuneGC()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// tuneGC trades memory for speed, unless GOGC or GOMEMLIMIT say otherwise.
// A build allocates a lot of short-lived page text: collecting when the
// heap has grown by 400% rather than 100% takes about 15% off a
// 10,000-document build, and the 3 GiB soft limit makes the collector work
// harder only as a 100,000-document build nears it.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(3 << 30)
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "stp: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: stp COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'stp COMMAND -h' for a command's flags.")
}
