// Runs the browser search engine under Node, for the differential test and
// the benchmark.
//
//   node wasm_node.js ENGINE.wasm wasm_exec.js INDEX.stpidx QUERIES.json [REPEAT]
//
// QUERIES.json is an array of URL query strings. Prints a JSON object:
// {"open": {...}, "loadMs": n, "answers": [...raw JSON strings...],
//  "times": [[ms per repeat]...]}.
"use strict";
const fs = require("fs");
const path = require("path");
const [wasmPath, execPath, indexPath, queriesPath, repeatArg] = process.argv.slice(2);
require(path.resolve(execPath));

(async () => {
  const t0 = performance.now();
  const go = new Go();
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), go.importObject);
  go.run(instance);
  const open = JSON.parse(globalThis.stpSearch.open(new Uint8Array(fs.readFileSync(indexPath))));
  const queries = JSON.parse(fs.readFileSync(queriesPath, "utf8"));
  const first = queries.length ? globalThis.stpSearch.run(queries[0]) : "";
  const loadMs = performance.now() - t0;
  const repeat = Number(repeatArg || 1);
  const answers = [];
  const times = [];
  for (const q of queries) {
    const ts = [];
    let a;
    for (let i = 0; i < repeat; i++) {
      const s = performance.now();
      a = globalThis.stpSearch.run(q);
      ts.push(performance.now() - s);
    }
    answers.push(a);
    times.push(ts);
  }
  fs.writeFileSync(1, JSON.stringify({ open, loadMs, firstAnswerBytes: first.length, answers, times }));
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
