//go:build embedengine && !(js && wasm)

package search

import _ "embed"

// The engine compiled ahead of time, which stp built with -tags
// embedengine carries: `go generate ./generator/search` (make engine)
// writes these files; they are not committed. Without them this file does
// not compile ("pattern embedded/engine.wasm: no matching files found"):
// run the generator first.
var (
	//go:embed embedded/engine.wasm
	builtInWASM []byte
	//go:embed embedded/wasm_exec.js
	builtInRuntime []byte
)

func init() {
	builtIn = &Engine{WASM: builtInWASM, Runtime: builtInRuntime}
}
