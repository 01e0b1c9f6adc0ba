package output

import "path/filepath"

// source is one of the site's inputs, which nothing a build writes may
// replace.
type source struct{ path, what string }

// siteSources returns catalog.yaml, content/ and layouts/ under root,
// resolved (a link leading nowhere resolves to ""; it holds nothing).
func siteSources(root string) []source {
	sources := []source{
		{"catalog.yaml", "the site's catalog"}, {"content", "the site's content folder"}, {"layouts", "the site's layouts folder"},
	}
	for i, s := range sources {
		sources[i].path, _ = resolve(root + string(filepath.Separator) + s.path)
	}
	return sources
}

// CheckSideFile refuses a file a command writes beside the build of the
// site at root into out, such as a CPU profile, when it is one of the
// site's sources, is inside one, or is inside the output folder (which the
// build replaces as a whole). It is checked before anything is written:
// os.Create would empty the file.
func CheckSideFile(root, out, p string) error {
	abs, err := resolve(p)
	if err != nil {
		return err
	}
	refuse := func(what string) error {
		return &Error{p, what + "; write it outside the site's sources and output, such as cpu.pprof"}
	}
	if what := inSources(abs, siteSources(root)); what != "" {
		return refuse(what)
	}
	if out, err := resolve(out); err == nil && (abs == out || within(abs, out) || within(abs, SparePath(out))) {
		return refuse("that is inside the output folder, which the build replaces")
	}
	return nil
}

// inSources says why p, resolved, is one of sources or inside one ("that
// is the site's catalog"), or returns "".
func inSources(p string, sources []source) string {
	for _, s := range sources {
		switch {
		case s.path == "":
		case p == s.path:
			return "that is " + s.what
		case within(p, s.path):
			return "that is inside " + s.what
		}
	}
	return ""
}
