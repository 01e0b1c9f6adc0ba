package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stp-portal/stp/generator/internal/precompress"
	"github.com/stp-portal/stp/generator/site"
)

// TestReleaseBuildsWithoutGo builds the release for this platform (make
// release, one cross-compile of stp) and builds the sample with it where
// there is no Go: PATH holds nothing, GOROOT is unset, and HOME and the
// user cache are new, so no engine compiled earlier can be found. Its
// search files must be those of a build that compiles the engine with Go.
func TestReleaseBuildsWithoutGo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release of stp")
	}
	if runtime.GOOS == "windows" {
		t.Skip("the release is built with make and a POSIX shell")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	dist := filepath.Join(tmp, "dist")
	const version = "v0.0.0-releasetest"
	mk := exec.Command("make", "-C", root, "--no-print-directory", "release",
		"RELEASE_PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH, "DIST="+dist, "VERSION="+version)
	if out, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("make release: %v\n%s", err, out)
	}
	name := "stp_" + version + "_" + runtime.GOOS + "_" + runtime.GOARCH
	stp := filepath.Join(dist, name)
	bin, err := os.ReadFile(stp)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(bin)
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(sum[:]) + "  " + name + "\n"; string(sums) != want {
		t.Errorf("SHA256SUMS is\n%s\nwant\n%s", sums, want)
	}

	// A build with Go, as go test's stp compiles the engine (make release
	// left it in the user cache).
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	withGo := filepath.Join(tmp, "with-go")
	if _, err := site.Build(site.Options{Root: root, Out: withGo, Now: now}); err != nil {
		t.Fatal(err)
	}

	// The compressed variants are cached by the hash of what they encode;
	// a copy of that cache saves compressing the engine again (brotli 11,
	// about 25 s) and holds no engine.
	home, cache := filepath.Join(tmp, "home"), filepath.Join(tmp, "cache")
	noGo := filepath.Join(tmp, "empty-path")
	for _, d := range []string{home, noGo} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.CopyFS(filepath.Join(cache, "stp", "precompress"), os.DirFS(precompress.DefaultCache().Dir)); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + noGo, "HOME=" + home, "XDG_CACHE_HOME=" + cache}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(stp, args...)
		cmd.Env = env
		cmd.Dir = tmp
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("stp %s without Go: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	if v := run("version"); !strings.Contains(v, "stp "+version+" ") || !strings.Contains(v, "search engine built in") {
		t.Errorf("stp version says %q", v)
	}
	withoutGo := filepath.Join(tmp, "without-go")
	run("build", "--root", root, "--out", withoutGo, "--now", now.Format(time.DateOnly))

	for _, dir := range []string{"search", "public/search"} {
		want := readTree(t, filepath.Join(withGo, dir))
		have := readTree(t, filepath.Join(withoutGo, dir))
		engines := 0
		for name, b := range want {
			if strings.HasPrefix(name, "engine.") && strings.HasSuffix(name, ".wasm") {
				engines++
			}
			if h, ok := have[name]; !ok {
				t.Errorf("%s/%s: written with Go, not without", dir, name)
			} else if !bytes.Equal(h, b) {
				t.Errorf("%s/%s: differs without Go", dir, name)
			}
		}
		for name := range have {
			if _, ok := want[name]; !ok {
				t.Errorf("%s/%s: written without Go, not with", dir, name)
			}
		}
		if engines != 1 {
			t.Errorf("%s: %d engine files, want 1", dir, engines)
		}
	}
}

// readTree returns every file under dir by its slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
