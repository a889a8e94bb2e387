package specs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns src in canonical layout (indentation, aligned equals signs,
// spacing), the layout `mailform fmt` writes. A file with syntax errors is
// not formatted: its diagnostics are returned instead.
func Format(src []byte, filename string) ([]byte, hcl.Diagnostics) {
	if diags := scanLimits(src, filename); diags.HasErrors() {
		return nil, diags
	}
	if _, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos); diags.HasErrors() {
		return nil, diags
	}
	return hclwrite.Format(src), nil
}

// FormattedFile is one spec file before and after formatting.
type FormattedFile struct {
	Path string
	Old  []byte
	New  []byte
}

// Changed reports whether formatting changes the file.
func (f FormattedFile) Changed() bool { return !bytes.Equal(f.Old, f.New) }

// FormatPath formats the spec at path: every *.hcl file of a folder (sorted),
// or the one file path names. It writes nothing; the caller decides whether
// to write New, list the changed files (-check) or show a diff (-diff).
// Files with syntax errors are left out and reported.
func FormatPath(path string) ([]FormattedFile, hcl.Diagnostics) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read the spec", Detail: fmt.Sprintf("%v.", err)}}
	}
	names := []string{path}
	var diags hcl.Diagnostics
	if info.IsDir() {
		names = nil
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read the spec folder", Detail: fmt.Sprintf("%v.", err)}}
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".hcl") || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			name := filepath.Join(path, e.Name())
			if p := specFileProblem(path, e.Name()); p != "" {
				// Never read, nor written through a symlink.
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Spec file refused", Detail: fmt.Sprintf("%s: %s.", name, p)})
				continue
			}
			names = append(names, name)
		}
		sort.Strings(names)
	} else if !info.Mode().IsRegular() {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Spec file refused", Detail: fmt.Sprintf("%s is not a regular file.", path)}}
	}
	var out []FormattedFile
	for _, name := range names {
		src, err := readSpecFile(name)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read a spec file", Detail: fmt.Sprintf("%v.", err)})
			continue
		}
		formatted, d := Format(src, name)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		out = append(out, FormattedFile{Path: name, Old: src, New: formatted})
	}
	return out, diags
}
