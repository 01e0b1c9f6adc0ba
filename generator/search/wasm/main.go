//go:build js && wasm

// Command wasm is the browser search engine: search.Run compiled to
// WebAssembly. It defines a global stpSearch with two functions:
//
//	stpSearch.open(bytes Uint8Array) -> JSON {"documents": n} or {"error": "..."}
//	stpSearch.run(query string)      -> JSON result, as the server's /api/search gives
//
// where query is a URL query string such as "q=iso&standard=iso-27001&page=2".
// stp build compiles it (see generator/search/engine.go); building it by
// hand gives the same engine less the workspace that drops roaring's
// fuzzing harness (see BuildEngine).
package main

import (
	"context"
	"encoding/json"
	"syscall/js"

	"github.com/stp-portal/stp/generator/search"
)

var idx *search.Index

func main() {
	api := js.Global().Get("Object").New()
	api.Set("open", js.FuncOf(open))
	api.Set("run", js.FuncOf(run))
	js.Global().Set("stpSearch", api)
	select {}
}

func jsonError(msg string) any {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return string(b)
}

func open(_ js.Value, args []js.Value) any {
	if len(args) != 1 || args[0].Type() != js.TypeObject {
		return jsonError("stpSearch.open needs the index bytes as a Uint8Array")
	}
	data := make([]byte, args[0].Get("length").Int())
	js.CopyBytesToGo(data, args[0])
	i, err := search.Open(data)
	if err != nil {
		return jsonError(err.Error())
	}
	idx = i
	b, _ := json.Marshal(map[string]int{"documents": i.Documents()})
	return string(b)
}

func run(_ js.Value, args []js.Value) any {
	if idx == nil {
		return jsonError("the search index is not open yet")
	}
	q := ""
	if len(args) > 0 && args[0].Type() == js.TypeString {
		q = args[0].String()
	}
	body, _ := search.AnswerJSON(context.Background(), idx, q)
	return string(body)
}
