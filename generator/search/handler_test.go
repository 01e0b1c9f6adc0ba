package search

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, sampleRecords(), sampleLabels(), nil); err != nil {
		t.Fatal(err)
	}
	h, err := Handler(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(q string) (int, map[string]any) {
		resp, err := http.Get(srv.URL + "/api/search?" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, m
	}
	if code, m := get("q=iso&standard=iso-27001"); code != 200 || m["total"].(float64) != 1 {
		t.Fatalf("%d %v", code, m)
	}
	if code, m := get("q=" + url.QueryEscape(strings.Repeat("x", 10000))); code != 400 || !strings.Contains(m["error"].(string), "limit is 512") {
		t.Fatalf("%d %v", code, m)
	}
	if code, _ := get("q=" + strings.Repeat("x", 70000)); code != http.StatusRequestURITooLong {
		t.Fatalf("long raw query: %d", code)
	}
	if code, m := get("size=1000"); code != 200 || m["pageSize"].(float64) != MaxPageSize {
		t.Fatalf("%d %v", code, m["pageSize"])
	}
	if code, _ := get("q=%zz"); code != 400 {
		t.Fatalf("bad escape: %d", code)
	}
	resp, _ := http.Post(srv.URL+"/api/search", "text/plain", nil)
	if resp.StatusCode != 405 {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
	if _, err := Handler(t.TempDir()); err == nil || !strings.Contains(err.Error(), "stp build") {
		t.Fatalf("empty dir: %v", err)
	}
}
