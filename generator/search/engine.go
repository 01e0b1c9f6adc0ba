//go:build !(js && wasm)

package search

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Engine is the browser side of search: the engine compiled to WebAssembly
// and Go's wasm_exec.js that runs it.
type Engine struct {
	WASM    []byte
	Runtime []byte
}

// modulePath is this repository's module, which holds the engine's source.
const modulePath = "github.com/stp-portal/stp"

var defaultEngine struct {
	once sync.Once
	e    *Engine
	err  error
}

// builtIn is the engine stp carries when it was built with -tags
// embedengine (engine_embed.go), nil otherwise.
var builtIn *Engine

// EngineBuiltIn reports whether this stp carries the browser engine, and
// so builds sites with search without Go.
func EngineBuiltIn() bool { return builtIn != nil }

//go:generate go run ./internal/genengine

// DefaultEngine returns the browser engine: STP_SEARCH_WASM's when set,
// else the one built into stp, else one compiled the first time.
//
// A released stp (make release, make bin/stp) carries the engine:
// `go generate ./generator/search` compiles it ahead of time into
// generator/search/embedded (not committed), and -tags embedengine builds
// it in. An stp built without it (go build, go run, go test) compiles the
// same engine (byte for byte, given the same Go) with the Go toolchain,
// from the source in this repository (see CompileEngine). STP_SEARCH_WASM may name a prebuilt engine
// file instead; its wasm_exec.js is then the built-in one, or GOROOT's.
func DefaultEngine() (*Engine, error) {
	d := &defaultEngine
	d.once.Do(func() {
		d.e, d.err = loadEngine(context.Background())
	})
	return d.e, d.err
}

func loadEngine(ctx context.Context) (*Engine, error) {
	if p := os.Getenv("STP_SEARCH_WASM"); p != "" {
		w, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("STP_SEARCH_WASM: %w", err)
		}
		if builtIn != nil {
			return &Engine{WASM: w, Runtime: builtIn.Runtime}, nil
		}
		goroot, _, err := goEnv(ctx)
		if err != nil {
			return nil, fmt.Errorf("STP_SEARCH_WASM: its wasm_exec.js is taken from Go's installation: %w", err)
		}
		rt, err := readRuntime(goroot)
		if err != nil {
			return nil, err
		}
		return &Engine{WASM: w, Runtime: rt}, nil
	}
	if builtIn != nil {
		return builtIn, nil
	}
	e, err := CompileEngine(ctx)
	if err != nil {
		return nil, fmt.Errorf("this stp was built without the browser search engine (make bin/stp and make release build it in), so it compiles one with Go: %w", err)
	}
	return e, nil
}

// CompileEngine compiles the engine with the Go toolchain on PATH, from
// the source of this repository, into the user's cache directory, keyed by
// the Go version and the hash of go.mod, go.sum and generator/search;
// later calls reuse it.
func CompileEngine(ctx context.Context) (*Engine, error) {
	goroot, goversion, err := goEnv(ctx)
	if err != nil {
		return nil, err
	}
	rt, err := readRuntime(goroot)
	if err != nil {
		return nil, err
	}
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return BuildEngine(ctx, root, filepath.Join(cache, "stp", "search"), goversion, rt)
}

// BuildEngine compiles the engine from the module at root, caching it in
// cacheDir.
func BuildEngine(ctx context.Context, root, cacheDir, goversion string, runtimeJS []byte) (*Engine, error) {
	key, err := engineKey(root, goversion)
	if err != nil {
		return nil, err
	}
	cached := filepath.Join(cacheDir, "engine-"+key+".wasm")
	if w, err := os.ReadFile(cached); err == nil {
		return &Engine{WASM: w, Runtime: runtimeJS}, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(cacheDir, "build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	// roaring ships its fuzzing harness (smat.go) among its sources; its
	// package-level tables keep the harness, and most of roaring with it,
	// in any binary: 0.7 MB of the engine. The engine is built in a
	// workspace that replaces roaring with a copy of the same version
	// without that one file. The replacement's path is relative to the
	// workspace, because the engine records it, and an absolute one would
	// make its bytes, and so its fingerprint, depend on where it was built.
	work, err := engineWorkspace(ctx, root, tmp)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(tmp, "engine.wasm")
	// The standard library is compiled without inlining: the engine is
	// 5.3 MB raw instead of 5.1 but compresses to 0.97 MB brotli instead
	// of 1.03 (inlined copies compress worse than calls), for about a
	// millisecond more per query at 10,000 documents (p50 3 -> 4 ms in
	// Node; the search package, roaring, zap and vellum stay inlined).
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-gcflags=std=-l", "-ldflags=-s -w", "-o", out, "./generator/search/wasm")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=", "GOWORK="+work)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("compiling the browser search engine (GOOS=js GOARCH=wasm go build ./generator/search/wasm): %v\n%s", err, stderr.String())
	}
	w, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	if err := os.Rename(out, cached); err != nil {
		return nil, err
	}
	return &Engine{WASM: w, Runtime: runtimeJS}, nil
}

// roaringModule is the module whose copy, less its fuzzing harness, the
// engine is built with.
const roaringModule = "github.com/RoaringBitmap/roaring/v2"

// engineWorkspace writes into tmp a go.work that uses the module at root
// and replaces roaring with a copy of the version go.mod requires, less
// smat.go, and returns its path.
func engineWorkspace(ctx context.Context, root, tmp string) (string, error) {
	// go mod download names the module's folder, fetching it if need be.
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", roaringModule)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	out, err := cmd.Output()
	var mod struct{ Dir, Error string }
	if err == nil {
		err = json.Unmarshal(out, &mod)
	}
	if err == nil && (mod.Error != "" || mod.Dir == "") {
		err = errors.New(mod.Error)
	}
	if err != nil {
		return "", fmt.Errorf("finding %s (go mod download): %w", roaringModule, err)
	}
	src := mod.Dir
	dst := filepath.Join(tmp, "roaring")
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if rel == "smat.go" || strings.HasSuffix(p, "_test.go") || !strings.HasSuffix(p, ".go") && d.Name() != "go.mod" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		return "", fmt.Errorf("copying %s: %w", roaringModule, err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	goLine := "go " + goDirective(gomod)
	work := filepath.Join(tmp, "go.work")
	body := goLine + "\n\nuse " + strconv.Quote(root) + "\n\nreplace " + roaringModule + " => ./roaring\n"
	return work, os.WriteFile(work, []byte(body), 0o644)
}

// goDirective is the version in go.mod's go line.
func goDirective(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	return "1.22"
}

// engineKey hashes everything the engine's bytes depend on: the toolchain,
// the module requirements and the search package's source (the engine
// imports nothing else from this repository).
func engineKey(root, goversion string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s/%s\n", goversion, runtime.GOOS, runtime.GOARCH)
	files := []string{"go.mod", "go.sum"}
	dir := filepath.Join(root, "generator", "search")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" || d.Name() == "cmd" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") || d.Name() == "go.mod" {
			rel, _ := filepath.Rel(root, p)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	slices.Sort(files[2:])
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(f), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)[:12]), nil
}

func goEnv(ctx context.Context) (goroot, goversion string, err error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT", "GOVERSION").Output()
	if err != nil {
		return "", "", fmt.Errorf("`go env` failed: %v (is Go on PATH?)", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return "", "", fmt.Errorf("unexpected `go env` output %q", out)
	}
	return strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1]), nil
}

// readRuntime reads wasm_exec.js, which moved to lib/wasm in Go 1.24.
func readRuntime(goroot string) ([]byte, error) {
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if b, err := os.ReadFile(filepath.Join(goroot, p)); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("wasm_exec.js not found under %s", goroot)
}

// moduleRoot finds this repository: the directory holding the go.mod of
// modulePath, above the working directory, or where this file was compiled.
func moduleRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for {
			b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err == nil && bytes.Contains(b, []byte("module "+modulePath+"\n")) {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("cannot find the source of %s (the browser search engine is compiled from it); run stp from the repository, or set STP_SEARCH_WASM to a prebuilt engine", modulePath)
}
