// This module stands in for go.etcd.io/bbolt when the search engine is
// compiled to WebAssembly: bleve/v2/util imports bbolt, which has no js/wasm
// port, and the engine never opens a bolt file. See ../../engine.go.
module go.etcd.io/bbolt

go 1.22
