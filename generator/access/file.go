package access

import (
	"os"
	"regexp"
	"strings"

	"github.com/stp-portal/stp/generator/diag"
	"go.yaml.in/yaml/v3"
)

// File is the access file: who holds which portal role, and who is
// protected. It is reviewed like code; `stp access apply` makes the tenant
// match it.
//
//	tenant: 3f2d7c1e-…            # the tenant the file is for (checked)
//	servicePrincipal: 9d4e2b7a-…  # the portal's enterprise application
//	admins:
//	  - adele@contoso.example
//	users:
//	  - alex@contoso.example
//	protected:                    # never lose a role through stp access
//	  - adele@contoso.example       # (an address or an object id)
type File struct {
	Path             string
	Tenant           string
	ServicePrincipal string
	// Entries are the admins, then the users, in file order.
	Entries []Entry
	// Protected are the principals stp access never takes a role from.
	Protected []Entry
}

// Entry is one principal in the file, where it was written.
type Entry struct {
	// Name is an e-mail address, or for a protected entry also an
	// object id. Any address of the user names them (see Client.Resolve).
	Name string
	Role Role // empty for a protected entry
	Line int
	Col  int
}

// At is the entry's position in the file.
func (f *File) At(e Entry) diag.Pos { return diag.Pos{File: f.Path, Line: e.Line, Col: e.Col} }

// Listed returns the entry that names u under admins or users, if any.
func (f *File) Listed(u User) (Entry, bool) {
	if f == nil {
		return Entry{}, false
	}
	for _, e := range f.Entries {
		if u.has(e.Name) {
			return e, true
		}
	}
	return Entry{}, false
}

// LoadFile reads and checks an access file.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseFile(path, data)
}

var (
	guidRE  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	emailRE = regexp.MustCompile(`^[^@\s'"]+@[^@\s'"]+\.[^@\s'"]+$`)
)

// ParseFile checks an access file and reports every problem at once, in the
// order found, as diag.Problems (file:line:col: message).
func ParseFile(path string, data []byte) (*File, error) {
	fp := &fileParser{f: &File{Path: path}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		fp.problems.Errorf(diag.Pos{File: path}, "%v", err)
		return nil, fp.problems
	}
	if len(doc.Content) == 0 {
		fp.problems.Errorf(diag.Pos{File: path, Line: 1, Col: 1}, "the access file is empty; it needs at least one address under admins")
		return nil, fp.problems
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		fp.fail(root, "the access file is a mapping with tenant, servicePrincipal, admins, users and protected")
		return nil, fp.problems
	}
	admins, anyAdmin := fp.keys(root)
	fp.listedOnce()
	if !anyAdmin {
		n := root
		if admins != nil {
			n = admins
		}
		fp.fail(n, "the file names no Portal Admin; list at least one under admins: (the last Portal Admin is never removed)")
	}
	if len(fp.problems) > 0 {
		return nil, fp.problems
	}
	return fp.f, nil
}

// fileParser reads an access file into f, collecting the problems.
type fileParser struct {
	f        *File
	problems diag.Problems
}

func (fp *fileParser) fail(n *yaml.Node, format string, args ...any) {
	fp.problems.Errorf(diag.YAMLPos(fp.f.Path, 0, n), format, args...)
}

// keys reads the top-level keys of the file. It returns the admins: key
// (nil when it is not written) and whether it lists anyone.
func (fp *fileParser) keys(root *yaml.Node) (admins *yaml.Node, anyAdmin bool) {
	f := fp.f
	seen := map[string]*yaml.Node{}
	var entries [2][]Entry
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		if prev, dup := seen[key.Value]; dup {
			fp.fail(key, "%s is given twice (first at line %d)", key.Value, prev.Line)
			continue
		}
		seen[key.Value] = key
		switch key.Value {
		case "tenant", "servicePrincipal":
			if val.Kind != yaml.ScalarNode || !guidRE.MatchString(val.Value) {
				fp.fail(val, "%s is an object id, a GUID like 3f2d7c1e-5b8a-4c6d-9e0f-1a2b3c4d5e6f", key.Value)
				continue
			}
			if key.Value == "tenant" {
				f.Tenant = strings.ToLower(val.Value)
			} else {
				f.ServicePrincipal = strings.ToLower(val.Value)
			}
		case "admins":
			admins = key
			entries[0] = fp.list(key, val, AdminRole)
		case "users":
			entries[1] = fp.list(key, val, UserRole)
		case "protected":
			f.Protected = fp.list(key, val, "")
		default:
			fp.fail(key, "unknown key %q (known: tenant, servicePrincipal, admins, users, protected)", key.Value)
		}
	}
	f.Entries = append(entries[0], entries[1]...)
	return admins, len(entries[0]) > 0
}

// list reads the list under key: the addresses holding role, or, for the
// protected entries (no role), addresses or object ids, which survive a
// renamed account.
func (fp *fileParser) list(key, val *yaml.Node, role Role) []Entry {
	what := "an e-mail address"
	if role == "" {
		what = "an e-mail address or an object id"
	}
	if val.Kind != yaml.SequenceNode {
		if val.Tag == "!!null" {
			return nil
		}
		fp.fail(val, "%s is a list of e-mail addresses", key.Value)
		return nil
	}
	var out []Entry
	for _, item := range val.Content {
		if item.Kind != yaml.ScalarNode || !emailRE.MatchString(item.Value) && (role != "" || !guidRE.MatchString(item.Value)) {
			fp.fail(item, "%q is not %s", item.Value, what)
			continue
		}
		out = append(out, Entry{Name: item.Value, Role: role, Line: item.Line, Col: item.Column})
	}
	return out
}

// listedOnce reports a principal listed twice, under one role or both.
func (fp *fileParser) listedOnce() {
	f := fp.f
	first := map[string]Entry{}
	for _, e := range f.Entries {
		k := strings.ToLower(e.Name)
		if p, dup := first[k]; dup {
			if p.Role == e.Role {
				fp.problems.Errorf(f.At(e), "%s is listed twice under %ss (first at line %d)", e.Name, e.Role, p.Line)
			} else {
				fp.problems.Errorf(f.At(e), "%s is listed under admins (line %d) and users; list them once: an admin reads everything a user does", e.Name, p.Line)
			}
			continue
		}
		first[k] = e
	}
}
