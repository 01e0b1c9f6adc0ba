package catalog

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/stp-portal/stp/generator/internal/par"
)

// Load reads root/catalog.yaml, checks it, and checks that every file it
// publishes is a regular file inside root/content. Problems name files
// relative to root.
func Load(root string) (*Catalog, Problems) {
	return Reload(root, nil, true)
}

// Reload is Load for a catalog that was loaded before as prev: only the
// documents an edit touched are parsed again (see Reparse) and, unless
// allFiles, only their files are checked again.
func Reload(root string, prev *Catalog, allFiles bool) (*Catalog, Problems) {
	const name = "catalog.yaml"
	data, err := readLimited(filepath.Join(root, name), MaxSize)
	if err != nil {
		return nil, Problems{{Pos: Pos{File: name}, Message: err.Error()}}
	}
	var c *Catalog
	var problems Problems
	if prev != nil {
		c, problems = Reparse(prev, data)
	} else {
		c, problems = Parse(name, data)
	}
	if c == nil {
		return nil, problems
	}
	type idFile struct{ id, file string }
	checked := map[idFile]bool{}
	if prev != nil && !allFiles {
		for _, d := range prev.Documents {
			checked[idFile{d.ID, d.File}] = true
		}
	}
	content, err := os.OpenRoot(filepath.Join(root, "content"))
	if err != nil {
		problems = append(problems, &Problem{Pos: Pos{File: "content/"}, Message: "cannot open the content folder: " + err.Error()})
		return nil, problems
	}
	defer content.Close()
	type fileCheck struct {
		rel string
		at  Pos
	}
	var checks []fileCheck
	if c.Site.Logo != "" {
		checks = append(checks, fileCheck{c.Site.Logo, Pos{File: name, Line: 1, Col: 1}})
	}
	for _, doc := range c.Documents {
		if !checked[idFile{doc.ID, doc.File}] {
			checks = append(checks, fileCheck{doc.File, doc.At("file")})
		}
	}
	// A hundred thousand stats, several system calls each through os.Root:
	// spread over the CPUs, with more in flight than CPUs for a cold disk.
	found := make([]*Problem, len(checks))
	_ = par.Each(4*runtime.GOMAXPROCS(0), len(checks), func(i int) error {
		rel, at := checks[i].rel, checks[i].at
		// os.Root refuses paths and symlinks that lead outside content/.
		info, err := content.Stat(rel)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			found[i] = &Problem{Pos: at, Message: fmt.Sprintf("file content/%s does not exist; add it or fix the path", rel)}
		case err != nil:
			found[i] = &Problem{Pos: at, Message: fmt.Sprintf("file content/%s cannot be used: %v", rel, err)}
		case !info.Mode().IsRegular():
			found[i] = &Problem{Pos: at, Message: fmt.Sprintf("content/%s is not a regular file; point at the file to publish", rel)}
		}
		return nil
	})
	for _, p := range found {
		if p != nil {
			problems = append(problems, p)
		}
	}
	problems.Sort()
	if len(problems.Errors()) > 0 {
		return nil, problems
	}
	return c, problems
}

// readLimited reads a whole file, refusing one larger than limit.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s not found; run stp in the site's folder or pass --root", filepath.Base(path))
		}
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("%s is %d MB; the limit is %d MB", filepath.Base(path), info.Size()>>20, limit>>20)
	}
	data := make([]byte, info.Size())
	_, err = io.ReadFull(f, data)
	return data, err
}
