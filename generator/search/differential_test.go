package search_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stp-portal/stp/generator/search"
	"github.com/stp-portal/stp/generator/synth"
)

// differentialQueries cover text, typos, prefixes, phrases, filters,
// paging, sorting and bad input.
var differentialQueries = []string{
	"",
	"q=iso+27001",
	"q=soc+2&page=2",
	"q=penetraton",
	"q=encrypt",
	`q="operating+effectiveness"`,
	`q="unclosed+phrase`,
	"q=audit&standard=soc-2&standard=iso-27001",
	"q=contoso&region=europe&industry=healthcare",
	"kind=trust-document&sort=newest&size=25",
	"year=2023&from=2023-03-01&to=2023-09-30",
	"q=the+of+and",
	"q=%F0%9F%99%82+%E2%80%AE",
	"q=" + string(make([]byte, 0)) + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	"standard=nope&sort=sideways",
	"q=ctrl+monitoring+vulnerabilty&page=3&size=5",
}

// TestDifferential answers the same queries natively, through the HTTP
// handler and with the WebAssembly engine under Node, and requires the
// same bytes from all three.
func TestDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the WebAssembly engine")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	eng, err := search.DefaultEngine()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m, err := search.Write(dir, synth.SearchRecords(2000, 1), synth.SearchLabels(), eng)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := search.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(search.NewHandler(idx))
	defer srv.Close()

	qfile := filepath.Join(t.TempDir(), "queries.json")
	qjson, _ := json.Marshal(differentialQueries)
	os.WriteFile(qfile, qjson, 0o644)
	cmd := exec.Command(node, "testdata/wasm_node.js", filepath.Join(dir, m.Engine), filepath.Join(dir, m.Runtime), filepath.Join(dir, m.Index), qfile)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var browser struct {
		Open    map[string]any
		Answers []string
	}
	if err := json.Unmarshal(out, &browser); err != nil {
		t.Fatalf("node output: %v\n%.500s", err, out)
	}
	if browser.Open["documents"] != float64(2000) {
		t.Fatalf("open: %v", browser.Open)
	}
	for i, q := range differentialQueries {
		native, _ := search.AnswerJSON(context.Background(), idx, q)
		resp, err := http.Get(srv.URL + "/?" + q)
		if err != nil {
			t.Fatal(err)
		}
		server, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(native) != string(server) {
			t.Errorf("%s: server differs from native\nnative: %.300s\nserver: %.300s", q, native, server)
		}
		if string(native) != browser.Answers[i] {
			t.Errorf("%s: WebAssembly differs from native\nnative: %.300s\nwasm:   %.300s", q, native, browser.Answers[i])
		}
		var r search.Result
		if json.Unmarshal(native, &r) == nil && r.Total == 0 && q == "q=iso+27001" {
			t.Errorf("%s found nothing; the test compares empty answers", q)
		}
	}
}
