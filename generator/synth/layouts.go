package synth

import (
	"io/fs"
	"os"
	"path/filepath"
)

// CopyLayouts copies the regular files under the layouts folder to
// dir/layouts, overwriting files of the same name, so that the portal
// Write wrote into dir builds as it is.
func CopyLayouts(dir, layouts string) error {
	dst := filepath.Join(dir, "layouts")
	return filepath.WalkDir(layouts, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(layouts, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return nil // symlinks and devices have no place in layouts
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
