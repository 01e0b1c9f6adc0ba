// Command genengine compiles the browser search engine ahead of time, for
// stp to carry: it writes embedded/engine.wasm and embedded/wasm_exec.js,
// which engine_embed.go builds in under -tags embedengine. It compiles
// with search.CompileEngine, as an stp without the engine does at run
// time, so both have the same bytes (and the compiled engine stays in the
// user cache for those). Run by `go generate ./generator/search`, from
// that folder.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stp-portal/stp/generator/search"
)

func main() {
	dir := flag.String("dir", "embedded", "the folder to write engine.wasm and wasm_exec.js into")
	flag.Parse()
	if err := generate(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "genengine:", err)
		os.Exit(1)
	}
}

func generate(dir string) error {
	e, err := search.CompileEngine(context.Background())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, data := range map[string][]byte{"engine.wasm": e.WASM, "wasm_exec.js": e.Runtime} {
		if err := writeIfChanged(filepath.Join(dir, name), data); err != nil {
			return err
		}
	}
	return nil
}

// writeIfChanged replaces p with data through a rename, so that a build
// reading p at the same time sees the old file or the new one, whole.
func writeIfChanged(p string, data []byte) error {
	if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
		return nil
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
