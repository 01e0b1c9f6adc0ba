package output

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Build replaces its output folder as a whole and writes the next build
// over the one before, so it moves, writes over or deletes a folder only
// when the folder is its own: one that holds the marker file, with these
// bytes, that Build writes into every folder it makes. A folder of the
// publisher's given as the output is refused, never swept away. The name
// starts with a dot, and the upstream serves no such name.
const markerText = "This folder is an output of stp build, which replaces it as a whole.\n"

// Marker is the name of the marker file in every output folder: the
// build's bookkeeping, not part of the site (stp diff leaves it out).
const Marker = ".stp-build"

// legacyOutputs are files every build writes. Builds before the marker
// left unmarked outputs at the default ROOT/public; a folder there that
// holds all of these is such a build, and is adopted rather than refused.
// A folder of the publisher's would not hold them; elsewhere an unmarked
// folder is always refused.
var legacyOutputs = []string{"index.html", "404.html", "catalog.json", "public/index.html", "public/catalog.json"}

// Error refuses an output folder before anything is written.
type Error struct {
	// Path is the folder as given, or its spare beside it.
	Path string
	// Reason says what the folder is and how to proceed.
	Reason string
}

func (e *Error) Error() string { return e.Path + ": " + e.Reason }

// Target is where a build writes: Out, the folder it replaces; Spare, the
// folder it writes the new build into (the output before the last, when
// Reuse); aside, the name the replaced output takes between two renames.
type Target struct {
	Out, Spare string
	Reuse      bool
	aside      string
}

// Claim checks that out is a folder a build of the site at root may
// replace and that the folders it keeps beside it are its own, before
// anything is written; then marks the folders it adopts, finishes a swap
// that was interrupted, and makes the spare.
func Claim(root, out string) (*Target, error) {
	given := out
	out, err := Path(root, given)
	if err != nil {
		return nil, err
	}
	dst := &Target{Out: out, Spare: SparePath(out), aside: asidePath(out)}
	site, err := resolve(root)
	if err != nil {
		return nil, err
	}
	legacy := out == filepath.Join(site, "public")
	folders := []struct{ path, shown string }{
		{dst.Out, given}, {dst.Spare, SparePath(given)}, {dst.aside, asidePath(given)},
	}
	var adopt []string
	present := map[string]bool{}
	for i, f := range folders {
		st, err := os.Lstat(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		present[f.path] = true
		if i == 0 && !st.IsDir() {
			return nil, &Error{given, "that is a file, not a folder; choose a folder of its own, such as " + suggestOut(root)}
		}
		mark, err := ownership(f.path, st, legacy)
		switch {
		case err != nil:
			return nil, err
		case mark == owned:
		case mark == adoptable:
			adopt = append(adopt, f.path)
		case i == 0:
			return nil, &Error{given, "that folder holds files stp build did not write (it has no " + Marker +
				" file) and a build replaces its output folder as a whole; empty it or choose another folder"}
		default:
			return nil, &Error{f.shown, "that folder holds files stp build did not write (it has no " + Marker +
				" file); an earlier stp build may have moved a folder of yours there from " + given +
				": keep what you need from it, then delete it"}
		}
	}
	// Every folder here is now the build's own.
	for _, dir := range adopt {
		if err := writeMarker(dir); err != nil {
			return nil, err
		}
	}
	if present[dst.aside] {
		if err := dst.finishSwap(present); err != nil {
			return nil, fmt.Errorf("finishing the interrupted build beside %s: %w", given, err)
		}
	}
	dst.Reuse = present[dst.Spare]
	if !dst.Reuse {
		if err := os.Mkdir(dst.Spare, 0o755); err != nil {
			return nil, fmt.Errorf("cannot create the build folder next to %s: %w", given, err)
		}
		if err := writeMarker(dst.Spare); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// finishSwap finishes a swap killed after it moved the output aside: it
// puts the output back when the new one is not in its place yet, keeps it
// as the spare when that is missing, and else lets it go. present says
// which folders are there, and is updated.
func (dst *Target) finishSwap(present map[string]bool) error {
	switch {
	case !present[dst.Out]:
		present[dst.Out] = true
		return os.Rename(dst.aside, dst.Out)
	case !present[dst.Spare]:
		present[dst.Spare] = true
		return os.Rename(dst.aside, dst.Spare)
	}
	return os.RemoveAll(dst.aside)
}

// owner says whose a folder is: Build's (marked), one Build may take
// (empty, or an unmarked earlier build where those were written), or
// another's.
type owner int

const (
	foreign owner = iota
	owned
	adoptable
)

// ownership tells whose the folder at p is; legacy says an unmarked
// earlier build is adoptable there.
func ownership(p string, st fs.FileInfo, legacy bool) (owner, error) {
	if !st.IsDir() {
		return foreign, nil
	}
	marker := filepath.Join(p, Marker)
	if mst, err := os.Lstat(marker); err == nil && mst.Mode().IsRegular() && mst.Size() == int64(len(markerText)) {
		if b, err := os.ReadFile(marker); err == nil && string(b) == markerText {
			return owned, nil
		}
	}
	f, err := os.Open(p)
	if err != nil {
		return foreign, err
	}
	names, err := f.Readdirnames(1)
	f.Close()
	if errors.Is(err, io.EOF) && len(names) == 0 {
		return adoptable, nil
	}
	if err != nil || !legacy {
		return foreign, err
	}
	for _, rel := range legacyOutputs {
		if st, err := os.Lstat(filepath.Join(p, filepath.FromSlash(rel))); err != nil || !st.Mode().IsRegular() {
			return foreign, nil
		}
	}
	return adoptable, nil
}

func writeMarker(dir string) error {
	return os.WriteFile(filepath.Join(dir, Marker), []byte(markerText), 0o644)
}

// asidePath is where swap moves the output it replaces, for a moment.
func asidePath(out string) string {
	out = filepath.Clean(out)
	return filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".stp-old")
}

// Path returns out absolute, links and ".." resolved, unless it overlaps
// the sources of the site at root: it may not be catalog.yaml, content/,
// layouts/ or the site's folder, be inside one of them or hold one, nor be
// a symbolic link (replacing the folder would replace the link).
func Path(root, out string) (string, error) {
	given := out
	link := &Error{given, "that is a symbolic link, and a build replaces its output folder as a whole, " +
		"which would replace the link rather than fill the folder it leads to; give that folder itself"}
	st, err := os.Lstat(strings.TrimRight(given, string(filepath.Separator)))
	isLink := err == nil && st.Mode()&fs.ModeSymlink != 0
	out, err = resolve(given)
	switch {
	case err != nil && isLink: // leading nowhere
		return "", link
	case err != nil:
		return "", err
	}
	site, err := resolve(root)
	if err != nil {
		return "", err
	}
	// A link leading nowhere is the loader's to report; it holds nothing.
	sources := siteSources(root)
	refuse := func(what string) (string, error) {
		return "", &Error{given, what + "; choose a folder of its own, such as " + suggestOut(root)}
	}
	if what := inSources(out, sources); what != "" {
		return refuse(what)
	}
	switch {
	case out == site:
		return refuse("that is the site's folder itself")
	case within(site, out):
		return refuse("that folder holds the site's folder")
	}
	for _, s := range sources {
		if s.path != "" && within(s.path, out) {
			return refuse("that folder holds " + s.what)
		}
	}
	if isLink {
		return "", link
	}
	return out, nil
}

// suggestOut names the default output, for a message.
func suggestOut(root string) string {
	return filepath.Join(root, "public")
}

// within tells whether p is below dir; both are resolved.
func within(p, dir string) bool {
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(p, dir)
}

// resolve returns p absolute, with every symbolic link and ".." resolved
// as the system resolves them (a link's ".." leads to the parent of what
// it leads to), also when p's last components do not exist yet.
func resolve(p string) (string, error) {
	if !filepath.IsAbs(p) {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		p = wd + string(filepath.Separator) + p
	}
	vol := filepath.VolumeName(p)
	done := vol + string(filepath.Separator)
	missing := false
	for _, name := range strings.Split(p[len(vol):], string(filepath.Separator)) {
		switch {
		case name == "" || name == ".":
		case name == "..":
			done = filepath.Dir(done)
		case missing:
			done = filepath.Join(done, name)
		default:
			next := filepath.Join(done, name)
			st, err := os.Lstat(next)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				missing = true
			case err != nil:
				return "", err
			case st.Mode()&fs.ModeSymlink != 0:
				if next, err = filepath.EvalSymlinks(next); err != nil {
					return "", err
				}
			}
			done = next
		}
	}
	return done, nil
}

// SparePath is where a build keeps the output before the last one, to
// write the next build over: beside out, hidden (.public.stp-spare for
// public).
func SparePath(out string) string {
	out = filepath.Clean(out)
	return filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".stp-spare")
}

// Swap puts the built spare in place of the output, and the output (if
// there was one) in place of the spare, for the next build to write over.
// The output is missing only between two renames, never half-written.
func (dst *Target) Swap() error {
	built, out := dst.Spare, dst.Out
	aside := dst.aside // Claim cleared it
	moved := false
	if _, err := os.Lstat(out); err == nil {
		if err := os.Rename(out, aside); err != nil {
			return fmt.Errorf("cannot move the previous %s aside: %w", out, err)
		}
		moved = true
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(built, out); err != nil {
		if moved {
			_ = os.Rename(aside, out)
		}
		return fmt.Errorf("cannot put the new build in place at %s: %w", out, err)
	}
	if moved {
		return os.Rename(aside, built)
	}
	return nil
}
