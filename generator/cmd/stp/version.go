package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/stp-portal/stp/generator/search"
)

// version is stamped by the release build (make release:
// -ldflags "-X main.version=…"); "dev" otherwise.
var version = "dev"

func init() {
	commands["version"] = command{summary: "print stp's version, its Go and platform, and whether it carries the search engine", run: runVersion}
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: stp version")
		return 2
	}
	engine := "search engine built in"
	if !search.EngineBuiltIn() {
		engine = "no search engine built in (stp build compiles it with Go; make bin/stp builds it in)"
	}
	fmt.Fprintf(stdout, "stp %s %s %s/%s, %s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH, engine)
	return 0
}
