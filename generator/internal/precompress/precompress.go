// Package precompress owns the compressed variants of a built site's files:
// which files get them, how they are made, and their names (name.br and
// name.gz beside name). The build writes them once; stp serve sends one
// to a reader whose browser accepts it, so that no request pays for
// compression and every reader of the same bytes gets the same bytes.
package precompress

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// Encoding is one content coding the build writes and the server offers.
type Encoding struct {
	// Name is the coding as HTTP names it in Accept-Encoding and
	// Content-Encoding.
	Name string
	// Suffix is added to a file's name for its variant in this coding.
	Suffix string
}

// Encodings are the variants, in the server's order of preference: brotli
// is a fifth to a quarter smaller than gzip on the engine and the index.
var Encodings = []Encoding{{"br", ".br"}, {"gzip", ".gz"}}

// MinSaving is the share of a file's size a variant must save to be
// written: below it the variant costs a file and a negotiation for little.
const MinSaving = 0.10

// minSize is the smallest file worth a variant: below about a kilobyte a
// response's headers weigh as much as the saving.
const minSize = 1024

// compressible lists the extensions of the site's files that compress.
// Downloads (PDF, Office files, images, archives) are compressed already or
// are the publisher's bytes to hand over unchanged, so they never are.
var compressible = map[string]bool{
	".wasm": true, ".stpidx": true, ".js": true, ".mjs": true, ".css": true,
	".json": true, ".map": true, ".svg": true, ".html": true, ".xml": true,
	".txt": true, ".csv": true, ".md": true, ".webmanifest": true,
}

// Worth tells whether a file of this name may get variants.
func Worth(name string) bool {
	return compressible[strings.ToLower(path.Ext(name))]
}

// Original returns the name of the file a variant was made from, and
// whether name is a variant's name at all (a compressible name followed by
// an encoding's suffix). Whether the original exists is the caller's to
// check: a publisher's own download may end in .gz too.
func Original(name string) (string, bool) {
	for _, e := range Encodings {
		if base, ok := strings.CutSuffix(name, e.Suffix); ok && Worth(base) {
			return base, true
		}
	}
	return "", false
}

// Level says how hard to compress, chosen by how often the bytes change.
type Level int

const (
	// Changing is for files that change with the catalog (the index):
	// brotli 5 and gzip 6. On the 10,000-document index brotli 5 is 24.0%
	// of the raw size in 0.4 s; 6 gains 0.3 points for 30% more time, 9
	// gains 1 point for three times the time, 11 gains 3 points in 16 s.
	Changing Level = iota
	// Stable is for files that seldom change and are cached by their hash
	// (the engine), or that are small (styles and scripts): brotli 11 and
	// gzip 9. The 8.7 MB engine is 18.8% in 25 s against 21.4% at 9 in
	// 1.8 s; it is compressed once per engine and kept in the cache.
	Stable
)

func (l Level) brotli() int {
	if l == Stable {
		return 11
	}
	return 5
}

func (l Level) gzip() int {
	if l == Stable {
		return gzip.BestCompression
	}
	return 6
}

// Variant is a file's bytes in one encoding.
type Variant struct {
	Encoding
	Data []byte
}

// Compress returns data's variants that save at least MinSaving, in
// Encodings order. The bytes depend only on data and level (gzip is
// written without a name or time), so a rebuild writes the same files.
// The encodings are made at the same time.
func Compress(data []byte, level Level) ([]Variant, error) {
	if len(data) < minSize {
		return nil, nil
	}
	out := make([][]byte, len(Encodings))
	errs := make([]error, len(Encodings))
	var wg sync.WaitGroup
	for i, e := range Encodings {
		wg.Go(func() { out[i], errs[i] = encode(e.Name, data, level) })
	}
	wg.Wait()
	var vs []Variant
	for i, e := range Encodings {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if worth(len(data), len(out[i])) {
			vs = append(vs, Variant{e, out[i]})
		}
	}
	return vs, nil
}

func worth(raw, compressed int) bool {
	return float64(compressed) <= float64(raw)*(1-MinSaving)
}

func encode(name string, data []byte, level Level) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(data) / 3)
	switch name {
	case "br":
		w := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: level.brotli(), LGWin: 22})
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
	case "gzip":
		w, err := gzip.NewWriterLevel(&b, level.gzip())
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("precompress: unknown encoding %q", name)
	}
	return b.Bytes(), nil
}

// cacheVersion changes with the encoders' settings, so that a cache made
// with other settings is not taken for this one.
const cacheVersion = "v1q"

// Cache keeps variants by the hash of the bytes they encode, across
// builds, so that the engine is compressed once per engine rather than
// once per build. The zero Cache (no Dir) keeps nothing.
type Cache struct {
	Dir string
}

// DefaultCache is in the user's cache directory, beside the compiled
// engine.
func DefaultCache() Cache {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return Cache{Dir: filepath.Join(dir, "stp", "precompress")}
}

// Compress is Compress through the cache. A variant not worth writing is
// remembered too, as an empty file.
func (c Cache) Compress(data []byte, level Level) ([]Variant, error) {
	if c.Dir == "" || len(data) < minSize {
		return Compress(data, level)
	}
	sum := sha256.Sum256(data)
	key := filepath.Join(c.Dir, fmt.Sprintf("%s.%s%d", hex.EncodeToString(sum[:16]), cacheVersion, level))
	var vs []Variant
	hit := true
	for _, e := range Encodings {
		b, err := os.ReadFile(key + e.Suffix)
		if err != nil {
			hit = false
			break
		}
		if len(b) > 0 {
			vs = append(vs, Variant{e, b})
		}
	}
	if hit {
		return vs, nil
	}
	vs, err := Compress(data, level)
	if err != nil {
		return nil, err
	}
	// The cache is a convenience: a build does not fail when it cannot
	// keep what it made.
	if os.MkdirAll(c.Dir, 0o755) == nil {
		for _, e := range Encodings {
			var b []byte
			for _, v := range vs {
				if v.Encoding == e {
					b = v.Data
				}
			}
			_ = WriteFile(key+e.Suffix, b)
		}
	}
	return vs, nil
}

// WriteFile writes data at p under a temporary name renamed into place, so
// that a variant is never seen half written: a file that exists is whole,
// and a later build may trust it.
func WriteFile(p string, data []byte) error {
	tmp := p + ".stp-new"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}
