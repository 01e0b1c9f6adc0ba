package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/stp-portal/stp/generator/urls"
)

// JSON writes the report as indented JSON; empty lists are [] rather than
// null so that tools need no special case.
func (r *Report) JSON(w io.Writer) error {
	out := *r
	for _, l := range []*[]string{&out.Pages.Added, &out.Pages.Removed, &out.Pages.Changed, &out.Files.Added, &out.Files.Removed, &out.Files.Changed, &out.NewlyPublic, &out.LookAt} {
		if *l == nil {
			*l = []string{}
		}
	}
	nonNil(&out.Access)
	nonNil(&out.Retention)
	nonNil(&out.Added)
	nonNil(&out.Removed)
	nonNil(&out.Reversioned)
	nonNil(&out.VersionsAdded)
	nonNil(&out.Dropped)
	nonNil(&out.Changed)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func nonNil[T any](s *[]T) {
	if *s == nil {
		*s = []T{}
	}
}

// listMax bounds each folded list of paths in the Markdown report; the JSON
// report has them all.
const listMax = 50

// Markdown writes the report for a pull-request comment. linkBase, when
// set, is the address of the new site (a preview), and pages to look at
// become links into it.
func (r *Report) Markdown(w io.Writer, linkBase string) error {
	var b markdown
	b.line("### What this change does to the portal")
	b.line("")
	b.line("%s → %s", sideText(r.Old), sideText(r.New))
	b.line("")
	if r.Empty() {
		b.line("No changes: the two builds are identical.")
	} else {
		b.line("**Summary:** %s", r.summary())
		r.mdAccess(&b)
		r.mdWarnings(&b)
		r.mdDocuments(&b)
		r.mdChanged(&b)
		r.mdPages(&b)
		r.mdLookAt(&b, linkBase)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// markdown is a report being written.
type markdown struct{ strings.Builder }

func (b *markdown) line(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }

// heading starts a section.
func (b *markdown) heading(format string, args ...any) {
	b.line("")
	b.line("#### "+format, args...)
	b.line("")
}

// mdAccess lists what changes who may read: review first.
func (r *Report) mdAccess(b *markdown) {
	if len(r.Access) > 0 || len(r.NewlyPublic) > 0 {
		b.heading("⚠️ Access: review first")
		for _, a := range r.Access {
			switch a.Change {
			case NowPublic:
				b.line("- 🔓 %s is now **public**: anyone can read and download it without signing in. `%s`", versionText(a.Version), a.URL)
			case NowGated:
				b.line("- 🔒 %s is now **gated**: only signed-in readers get it. `%s`", versionText(a.Version), a.URL)
			case AddedPublic:
				b.line("- 🔓 %s is new and **public**: readable without signing in. `%s`", versionText(a.Version), a.URL)
			}
		}
		if n := len(r.NewlyPublic); n > 0 {
			b.line("- %s added under `public/`, readable without signing in.", count(n, "file", "files"))
			b.paths("Added under public/", r.NewlyPublic)
		}
	}
}

// mdWarnings warns of a portal mostly removed and of versions dropped too early.
func (r *Report) mdWarnings(b *markdown) {
	if s := r.Shrink; s != nil {
		b.heading("⚠️ Most of the portal removed")
		b.line("This change takes the portal from %s to %d: more than half are gone. If that is not what you meant, look at catalog.yaml's `documents:` list (emptied, cut short by an indentation slip or a bad merge).", count(s.Old, "document version", "document versions"), s.New)
	}

	if len(r.Retention) > 0 {
		b.heading("⚠️ Retention")
		for _, d := range r.Retention {
			b.line("- %s was dropped before its retention ended: it must stay downloadable until %s. Put it back in catalog.yaml.", versionText(d.Version), d.Until)
		}
	}
}

// mdDocuments lists the documents and versions added, removed and dropped.
func (r *Report) mdDocuments(b *markdown) {
	if len(r.Added) > 0 {
		b.heading("Documents added (%d)", len(r.Added))
		for _, s := range r.Added {
			extra := ""
			if n := len(s.Versions); n > 1 {
				extra = fmt.Sprintf(", %d versions", n)
			}
			b.line("- %s: %s, %s%s `%s`", versionText(s.Current), kindText(s.Kind), access(s.Current.Public), extra, s.Current.URL)
		}
	}
	if len(r.Reversioned) > 0 {
		b.heading("New versions (%d)", len(r.Reversioned))
		for _, v := range r.Reversioned {
			note := ""
			switch {
			case v.Back:
				note = " (back to an older version)"
			case v.To == nil:
				note = " (the document has no current version now)"
			}
			b.line("- **%s**: %s → %s%s `%s`", escape(v.Title), maybeVersion(v.From), maybeVersion(v.To), note, v.URL)
		}
	}
	if len(r.VersionsAdded) > 0 {
		b.heading("Earlier versions added (%d)", len(r.VersionsAdded))
		for _, v := range r.VersionsAdded {
			b.line("- %s, published %s", versionText(v), v.Published)
		}
	}
	if len(r.Removed) > 0 {
		b.heading("Documents removed (%d)", len(r.Removed))
		for _, s := range r.Removed {
			b.line("- **%s** (`%s`, %s): %s", escape(s.Title), s.Series, count(len(s.Versions), "version", "versions"), dropText(s.Reason, ""))
		}
	}
	if len(r.Dropped) > 0 {
		b.heading("Versions dropped (%d)", len(r.Dropped))
		for _, d := range r.Dropped {
			b.line("- %s: %s", versionText(d.Version), dropText(d.Reason, d.Until))
		}
	}
}

// mdChanged lists the metadata changed, field by field.
func (r *Report) mdChanged(b *markdown) {
	if len(r.Changed) > 0 {
		b.heading("Metadata changed (%d)", len(r.Changed))
		for _, c := range r.Changed {
			b.line("- %s `%s`", versionText(c.Version), c.URL)
			for _, f := range c.Fields {
				if f.Field == "file.sha256" {
					b.line("  - file content changed (sha256 %s → %s)", short(f.Old), short(f.New))
					continue
				}
				b.line("  - %s: %s → %s", f.Field, quote(f.Old), quote(f.New))
			}
		}
	}
}

// mdPages counts the pages and files added, removed and changed.
func (r *Report) mdPages(b *markdown) {
	b.heading("Pages")
	b.line("%d → %d pages: %d added, %d removed, %d changed. Other files (downloads, assets, feeds, index): %d added, %d removed, %d changed.",
		r.Old.Pages, r.New.Pages, len(r.Pages.Added), len(r.Pages.Removed), len(r.Pages.Changed),
		len(r.Files.Added), len(r.Files.Removed), len(r.Files.Changed))
	b.paths("Pages added", r.Pages.Added)
	b.paths("Pages removed", r.Pages.Removed)
	b.paths("Pages changed", r.Pages.Changed)
	b.paths("Other files added", r.Files.Added)
	b.paths("Other files removed", r.Files.Removed)
	b.paths("Other files changed", r.Files.Changed)
}

// mdLookAt lists the pages to look at, as links into linkBase when set.
func (r *Report) mdLookAt(b *markdown, linkBase string) {
	if len(r.LookAt) > 0 {
		b.heading("Pages to look at")
		for _, u := range r.LookAt {
			name := u
			if name == "" {
				name = "home page"
			}
			if linkBase != "" {
				b.line("- [%s](%s%s)", name, strings.TrimSuffix(linkBase, "/")+"/", u)
			} else {
				b.line("- `%s`", "/"+u)
			}
		}
	}
}

func dropText(reason, until string) string {
	switch reason {
	case DropExpired:
		return "expired"
	case DropRetentionEnded:
		if until == "" {
			return "retention ended"
		}
		return "retention ended " + until
	}
	if until == "" {
		return "⚠️ removed before its retention ended"
	}
	return "⚠️ removed before its retention ended (" + until + ")"
}

func (r *Report) summary() string {
	var parts []string
	add := func(n int, one, many string) {
		if n > 0 {
			parts = append(parts, count(n, one, many))
		}
	}
	add(len(r.Access), "access change", "access changes")
	add(len(r.Retention), "retention problem", "retention problems")
	add(len(r.Added), "document added", "documents added")
	add(len(r.Reversioned), "new version", "new versions")
	add(len(r.VersionsAdded), "earlier version added", "earlier versions added")
	add(len(r.Removed), "document removed", "documents removed")
	add(len(r.Dropped), "version dropped", "versions dropped")
	add(len(r.Changed), "version with changed metadata", "versions with changed metadata")
	add(len(r.Pages.Added), "page added", "pages added")
	add(len(r.Pages.Removed), "page removed", "pages removed")
	add(len(r.Pages.Changed), "page changed", "pages changed")
	if len(parts) == 0 {
		return "only files other than pages changed"
	}
	return strings.Join(parts, " · ")
}

// paths writes a folded list of paths.
func (b *markdown) paths(title string, ps []string) {
	if len(ps) == 0 {
		return
	}
	fmt.Fprintf(b, "\n<details><summary>%s (%d)</summary>\n\n", title, len(ps))
	for i, p := range ps {
		if i == listMax {
			fmt.Fprintf(b, "- … and %d more (see the JSON report)\n", len(ps)-listMax)
			break
		}
		fmt.Fprintf(b, "- `%s`\n", p)
	}
	b.WriteString("\n</details>\n")
}

func sideText(s Side) string {
	label := s.Label
	if label == "" {
		label = "site"
	}
	return fmt.Sprintf("`%s` (built as of %s: %s, %s)", label, s.Date, count(s.Versions, "document version", "document versions"), count(s.Pages, "page", "pages"))
}

func versionText(v Version) string {
	return fmt.Sprintf("**%s** `%s`", escape(v.Title), v.Version)
}

func maybeVersion(v *Version) string {
	if v == nil {
		return "none"
	}
	return "`" + v.Version + "`"
}

func kindText(kind string) string { return strings.ToLower(urls.KindOf(kind).Singular) }

func access(public bool) string {
	if public {
		return "**public**"
	}
	return "gated"
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12] + "…"
	}
	return sum
}

func quote(s string) string {
	if s == "" {
		return "(none)"
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return "“" + escape(s) + "”"
}

// escape keeps a publisher's text from being read as Markdown or HTML in
// the comment.
var escaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "#", `\#`, "\n", " ",
)

func escape(s string) string { return escaper.Replace(s) }
