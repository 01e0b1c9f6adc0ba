package catalog

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/stp-portal/stp/generator/diag"
	"github.com/stp-portal/stp/generator/internal/par"
)

// Load reads root/catalog.yaml, checks it, and checks that every file it
// publishes is a regular file inside root/content, not empty. Problems name
// files relative to root.
func Load(root string) (*Catalog, diag.Problems) {
	return Reload(root, nil, LoadOptions{AllFiles: true})
}

// LoadOptions say how Reload loads.
type LoadOptions struct {
	// AllFiles checks every published file again, not only those of the
	// documents an edit touched.
	AllFiles bool
	// AllowEmpty accepts a catalog with no documents, when it says so
	// itself with documents: [] (stp build --allow-empty). Otherwise an
	// empty portal is an error: a documents list emptied by accident (a
	// bad merge, an indentation slip) must not publish a portal with
	// nothing in it.
	AllowEmpty bool
}

// Reload is Load for a catalog that was loaded before as prev: only the
// documents an edit touched are parsed again (see Reparse) and, unless
// o.AllFiles, only their files are checked again.
func Reload(root string, prev *Catalog, o LoadOptions) (*Catalog, diag.Problems) {
	const name = "catalog.yaml"
	data, err := readLimited(filepath.Join(root, name), MaxSize)
	if err != nil {
		return nil, diag.Problems{{Pos: diag.Pos{File: name}, Message: err.Error()}}
	}
	var c *Catalog
	var problems diag.Problems
	if prev != nil {
		c, problems = Reparse(prev, data)
	} else {
		c, problems = Parse(name, data)
	}
	if c == nil {
		return nil, problems
	}
	if p := c.checkEmpty(o.AllowEmpty); p != nil {
		problems = append(problems, p)
	}
	type idFile struct{ id, file string }
	checked := map[idFile]bool{}
	if prev != nil && !o.AllFiles {
		for _, d := range prev.Documents {
			checked[idFile{d.ID, d.File}] = true
		}
	}
	content, err := os.OpenRoot(filepath.Join(root, "content"))
	if err != nil {
		problems = append(problems, &diag.Problem{Pos: diag.Pos{File: "content/"}, Message: "cannot open the content folder: " + err.Error()})
		return nil, problems
	}
	defer content.Close()
	type fileCheck struct {
		rel string
		at  diag.Pos
	}
	var checks []fileCheck
	if c.Site.Logo != "" {
		checks = append(checks, fileCheck{c.Site.Logo, c.Site.logoAt})
	}
	for _, doc := range c.Documents {
		if !checked[idFile{doc.ID, doc.File}] {
			checks = append(checks, fileCheck{doc.File, doc.At("file")})
		}
	}
	// A hundred thousand stats, several system calls each through os.Root:
	// spread over the CPUs, with more in flight than CPUs for a cold disk.
	found := make([]*fileProblem, len(checks))
	links := make([]string, len(checks))
	_ = par.Each(4*runtime.GOMAXPROCS(0), len(checks), func(i int) error {
		found[i], links[i] = checkFile(content, checks[i].rel, checks[i].at)
		return nil
	})
	// A folder linked out of content/ makes every file under it fail: say
	// it once, at the first file, with how many more it holds.
	first := map[string]int{}
	for i, p := range found {
		if p == nil {
			continue
		}
		if l := links[i]; l != "" {
			if j, seen := first[l]; seen {
				found[j].more++
				continue
			}
			first[l] = i
		}
		problems = append(problems, p.Problem)
	}
	for _, i := range first {
		switch n := found[i].more; {
		case n == 1:
			found[i].Message += " (1 more published file is under it)"
		case n > 1:
			found[i].Message += fmt.Sprintf(" (%d more published files are under it)", n)
		}
	}
	problems.Sort()
	if len(problems.Errors()) > 0 {
		return nil, problems
	}
	return c, problems
}

// checkEmpty refuses a catalog with no documents, unless allowed and the
// catalog says so itself with documents: [] rather than a documents: with
// nothing left under it. Allowed, it is a warning: never silence.
func (c *Catalog) checkEmpty(allow bool) *diag.Problem {
	if len(c.Documents) > 0 {
		return nil
	}
	p := &diag.Problem{Pos: c.documentsAt}
	switch {
	case c.documentsNull:
		p.Message = "documents: has nothing under it, so the portal would have no documents; list them under documents:, or, for a portal with no documents on purpose, write documents: [] and build with --allow-empty"
	case !allow:
		p.Message = "documents is an empty list, so the portal would have no documents; if that is what you want, build with --allow-empty"
	default:
		p.Message, p.Warning = "documents is an empty list: the portal has no documents (--allow-empty)", true
	}
	return p
}

// checkFile checks that rel, a file a catalog publishes, is a regular file
// inside content, not empty. When a symbolic link on the way leads out of
// content, it names the link.
func checkFile(content *os.Root, rel string, at diag.Pos) (*fileProblem, string) {
	problem := func(format string, args ...any) *fileProblem {
		return &fileProblem{Problem: &diag.Problem{Pos: at, Message: fmt.Sprintf(format, args...)}}
	}
	// os.Root refuses paths and symlinks that lead outside content/.
	info, err := content.Stat(rel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return problem("file content/%s does not exist; add it or fix the path", rel), ""
	case err != nil:
		if link, target := outsideLink(content, rel); link != "" {
			what := "file"
			if link != rel {
				what = "folder"
			}
			return problem("content/%s is a symbolic link to a %s outside content/ (%s), and stp publishes only what is inside content/; put the %s itself there instead of the link", link, what, target, what), link
		}
		return problem("file content/%s cannot be read: %v", rel, errors.Unwrap(err)), ""
	case !info.Mode().IsRegular():
		return problem("content/%s is not a regular file; point at the file to publish", rel), ""
	case info.Size() == 0:
		return problem("content/%s is empty (0 bytes): readers would download nothing; put the real file there", rel), ""
	}
	return nil, ""
}

// fileProblem is a problem with a published file, and how many others the
// same cause has.
type fileProblem struct {
	*diag.Problem
	more int
}

// outsideLink finds the first symbolic link on the way to rel, and where
// it leads.
func outsideLink(content *os.Root, rel string) (link, target string) {
	parts := strings.Split(rel, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		info, err := content.Lstat(p)
		if err != nil {
			return "", ""
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			target, _ := content.Readlink(p)
			return p, target
		}
	}
	return "", ""
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
