// Command synth writes a synthetic service trust portal for benchmarks and
// bug reports:
//
//	go run ./generator/synth/cmd/synth -n 10000 -out /tmp/portal -layouts layouts
//
// It writes catalog.yaml and content/ into -out and, with -layouts, copies
// that folder to -out/layouts so that the result builds as it is. With
// -hugo it writes the same documents as a Hugo project instead
// (synth.WriteHugo, the naive twin), for `hugo --source OUT`; with
// -hugo-expert PORTAL it writes the expert Hugo twin of the STP portal in
// PORTAL (synth.WriteHugoExpert), built as of synth.Today.
package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/stp-portal/stp/generator/synth"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("synth", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var o synth.Options
	fl.IntVar(&o.Documents, "n", 10_000, "number of documents")
	fl.IntVar(&o.Regions, "regions", 8, "number of regions (at least 8)")
	fl.IntVar(&o.Industries, "industries", 12, "number of industries (at least 12)")
	fl.Int64Var(&o.Seed, "seed", 1, "random seed; the same options write the same bytes")
	out := fl.String("out", "", "folder to write the portal into (required)")
	layouts := fl.String("layouts", "", "layouts folder to copy to OUT/layouts, e.g. layouts")
	hugo := fl.Bool("hugo", false, "write the documents as a Hugo project instead (the naive twin)")
	expert := fl.String("hugo-expert", "", "write the expert Hugo twin of the STP portal in this folder instead")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *expert != "" {
		if *out == "" || fl.NArg() > 0 || *hugo || *layouts != "" {
			fmt.Fprintln(stderr, "usage: synth -out DIR -hugo-expert PORTAL")
			return 2
		}
		if err := synth.WriteHugoExpert(*out, *expert, synth.Today()); err != nil {
			fmt.Fprintln(stderr, "synth:", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote the expert Hugo twin of %s to %s\n", *expert, *out)
		return 0
	}
	if *out == "" || fl.NArg() > 0 || *hugo && *layouts != "" {
		fmt.Fprintln(stderr, "usage: synth -out DIR [-n 10000] [-regions 8] [-industries 12] [-seed 1] [-layouts DIR | -hugo]")
		return 2
	}
	write := synth.Write
	if *hugo {
		write = synth.WriteHugo
	}
	start := time.Now()
	if err := write(*out, o); err != nil {
		fmt.Fprintln(stderr, "synth:", err)
		return 1
	}
	elapsed := time.Since(start)
	if *layouts != "" {
		if err := synth.CopyLayouts(*out, *layouts); err != nil {
			fmt.Fprintln(stderr, "synth: copying layouts:", err)
			return 1
		}
	}
	files, size, err := du(*out)
	if err != nil {
		fmt.Fprintln(stderr, "synth:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %d documents to %s in %v: %d files, %.1f MB\n",
		o.Documents, *out, elapsed.Round(time.Millisecond), files, float64(size)/1e6)
	return 0
}

// du counts the files under dir and their bytes.
func du(dir string) (files int, size int64, err error) {
	err = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += info.Size()
		return nil
	})
	return files, size, err
}
