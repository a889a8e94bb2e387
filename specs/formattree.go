package specs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// FormatTree formats the *.hcl files of path: one file, or every file of a
// folder and its subfolders (those starting with "." excepted), so that
// 'mailform fmt -check examples' checks every example. It writes nothing. A
// folder without any spec file is an error: a check of nothing must not pass.
func FormatTree(path string) ([]FormattedFile, hcl.Diagnostics, error) {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		files, diags := FormatPath(path)
		return files, diags, nil
	}
	var names []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		hidden := strings.HasPrefix(d.Name(), ".") && p != path
		switch {
		case d.IsDir() && hidden:
			return filepath.SkipDir
		case !d.IsDir() && !hidden && strings.HasSuffix(d.Name(), ".hcl"):
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("%s holds no *.hcl spec file, in it or its subfolders", path)
	}
	var files []FormattedFile
	var diags hcl.Diagnostics
	for _, name := range names {
		f, d := FormatPath(name)
		files = append(files, f...)
		diags = append(diags, d...)
	}
	return files, diags, nil
}
