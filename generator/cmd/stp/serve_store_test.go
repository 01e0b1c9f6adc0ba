package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The default store is a SQLite file in the user's state folder, outside
// the site folder that builds replace.
func TestServeStoreDefault(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	s, where, err := openStore("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := filepath.Join(state, "stp", "store.db")
	if where != "sqlite:"+want {
		t.Errorf("store at %s, want sqlite:%s", where, want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Error(err)
	}
}

func TestServeStoreNeedsTheGate(t *testing.T) {
	var stderr bytes.Buffer
	code := runServe([]string{"--dir", t.TempDir(), "--no-gate", "--store", "sqlite:" + filepath.Join(t.TempDir(), "s.db"), "--addr", "127.0.0.1:0"}, &bytes.Buffer{}, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "--store needs the gate") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}
