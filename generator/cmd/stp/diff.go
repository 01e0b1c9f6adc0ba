package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/stp-portal/stp/generator/diff"
	"github.com/stp-portal/stp/generator/site"
)

func init() {
	commands["diff"] = command{summary: "compare two built sites, or two git revisions, for a pull-request comment", run: runDiff}
}

func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stp diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: stp diff [flags] OLD NEW
       stp diff --git [flags] OLD-REV [NEW-REV]

Compares two built sites (folders written by stp build), or builds two git
revisions of the site as of the same date and compares those; without
NEW-REV the working tree is the new side.

`)
		fs.PrintDefaults()
	}
	format := fs.String("format", "markdown", "markdown (for a pull-request comment) or json")
	linkBase := fs.String("link-base", "", "address of the new site, e.g. a preview; pages to look at become links into it")
	strict := fs.Bool("strict", false, "exit 1 when the change drops a version before its retention ended, or removes more than half of the portal's versions")
	git := fs.Bool("git", false, "OLD and NEW are git revisions to build, not built sites")
	root := fs.String("root", ".", "with --git: the site's folder in the repository")
	now := fs.String("now", "", "with --git: build both as of this date, YYYY-MM-DD (default today)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *format != "markdown" && *format != "json" {
		fmt.Fprintln(stderr, "stp diff: --format must be markdown or json")
		return 2
	}
	var oldSite, newSite *diff.Site
	var err error
	if *git {
		if fs.NArg() < 1 || fs.NArg() > 2 {
			fs.Usage()
			return 2
		}
		day := time.Now().UTC()
		if *now != "" {
			if day, err = time.Parse(time.DateOnly, *now); err != nil {
				fmt.Fprintf(stderr, "stp diff: --now must be a date written YYYY-MM-DD, not %q\n", *now)
				return 2
			}
		}
		revs := fs.Args()
		if len(revs) == 1 {
			revs = append(revs, "") // the working tree
		}
		oldSite, newSite, err = buildRevisions(*root, revs[0], revs[1], day)
	} else {
		if fs.NArg() != 2 {
			fs.Usage()
			return 2
		}
		if oldSite, err = diff.Load(fs.Arg(0), fs.Arg(0)); err == nil {
			newSite, err = diff.Load(fs.Arg(1), fs.Arg(1))
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "stp diff: %v\n", err)
		return 1
	}
	r := diff.Compare(oldSite, newSite)
	if *format == "json" {
		err = r.JSON(stdout)
	} else {
		err = r.Markdown(stdout, *linkBase)
	}
	if err != nil {
		fmt.Fprintf(stderr, "stp diff: %v\n", err)
		return 1
	}
	failed := false
	if *strict && r.Shrink != nil {
		fmt.Fprintf(stderr, "stp diff: the change removes %d of the %d document versions the portal listed, more than half; if that is what you mean, merge it without --strict\n",
			r.Shrink.Old-r.Shrink.New, r.Shrink.Old)
		failed = true
	}
	if *strict && len(r.Retention) > 0 {
		fmt.Fprintf(stderr, "stp diff: %d %s dropped before %s retention ended\n", len(r.Retention),
			plural(len(r.Retention), "version is", "versions are"), plural(len(r.Retention), "its", "their"))
		failed = true
	}
	if failed {
		return 1
	}
	return 0
}

// buildRevisions exports each revision of the site (rev "" is the working
// tree) into a temporary folder, builds it in this process as of day, and
// loads the result. Both sides are built by this stp, so the comparison
// shows what the change does to the content; a change to the generator
// itself shows when each side is built by its own stp (as the CI workflow
// does) and compared as folders.
func buildRevisions(root, oldRev, newRev string, day time.Time) (*diff.Site, *diff.Site, error) {
	tmp, err := os.MkdirTemp("", "stp-diff-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	var sites [2]*diff.Site
	for i, rev := range []string{oldRev, newRev} {
		src, label := root, "working tree"
		if rev != "" {
			src = filepath.Join(tmp, fmt.Sprint(i), "src")
			if label, err = exportRevision(root, rev, src); err != nil {
				return nil, nil, err
			}
		}
		out := filepath.Join(tmp, fmt.Sprint(i), "site")
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return nil, nil, err
		}
		if _, err := site.Build(site.Options{Root: src, Out: out, Now: day}); err != nil {
			return nil, nil, fmt.Errorf("building %s: %w", label, err)
		}
		if sites[i], err = diff.Load(out, label); err != nil {
			return nil, nil, err
		}
	}
	return sites[0], sites[1], nil
}

// exportRevision writes the site folder root as it is at rev into dst,
// with git archive (which changes nothing in the repository), and returns a
// label such as "main (1a2b3c4)".
func exportRevision(root, rev, dst string) (string, error) {
	gitOut := func(args ...string) ([]byte, error) {
		cmd := exec.Command("git", append([]string{"-C", root}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			msg := strings.TrimSpace(stderr.String())
			if msg == "" {
				msg = err.Error()
			}
			return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
		}
		return out, nil
	}
	if strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("revision %q must not start with a dash", rev)
	}
	commit, err := gitOut("rev-parse", "--verify", "--short", rev+"^{commit}")
	if err != nil {
		return "", err
	}
	prefix, err := gitOut("rev-parse", "--show-prefix")
	if err != nil {
		return "", err
	}
	top, err := gitOut("rev-parse", "--show-toplevel")
	if err != nil {
		return "", err
	}
	short := strings.TrimSpace(string(commit))
	cmd := exec.Command("git", "-C", strings.TrimSpace(string(top)), "archive", "--format=tar", short+":"+strings.TrimSpace(string(prefix)))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	archive, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git archive %s: %s", rev, strings.TrimSpace(stderr.String()))
	}
	if err := untar(bytes.NewReader(archive), dst); err != nil {
		return "", fmt.Errorf("unpacking %s: %w", rev, err)
	}
	label := short
	if rev != short {
		label = rev + " (" + short + ")"
	}
	return label, nil
}

// untar writes the directories and regular files of a tar archive under
// dst. Symbolic links are skipped: a site's content is regular files.
func untar(r io.Reader, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	out, err := os.OpenRoot(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(h.Name)
		if name == "." || path.IsAbs(name) || strings.HasPrefix(name, "../") {
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := out.MkdirAll(name, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if dir := path.Dir(name); dir != "." {
				if err := out.MkdirAll(dir, 0o755); err != nil {
					return err
				}
			}
			f, err := out.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}
