package cli

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/specs"
)

func fmtCommand() *command {
	c := &command{
		name:     "fmt",
		synopsis: "Rewrite spec files in the canonical layout",
		usage:    "mailform fmt [PATH] [-check] [-diff]",
		help: `Rewrites every *.hcl file of PATH (a folder and its subfolders, or one file) in
the canonical layout: indentation, aligned equals signs, spacing. Folders whose
names start with "." are skipped. Files with syntax errors are left untouched
and reported. A folder with no *.hcl file anywhere below it is an error.

With -check nothing is written: the files that would change are listed and the
exit status is 3 when there are any (use it in CI). With -diff the changes are
shown as a unified diff (written too, unless -check is given).`,
		example: `mailform fmt
mailform fmt -check -diff examples/`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, 0)
		check := st.fs.Bool("check", false, "write nothing; list the files that are not formatted and exit 3 if any")
		diff := st.fs.Bool("diff", false, "show the changes as a unified diff")
		noColor := st.fs.Bool("no-color", false, "print without colours")
		path, code, ok := st.parsePath(args)
		if !ok {
			return code
		}
		files, diags, err := formatTree(path)
		if err != nil {
			errorf(io.Stderr, err, "give a spec folder (its subfolders are formatted too) or one .hcl file")
			return ExitError
		}
		if len(diags) > 0 {
			printDiagnostics(io.Stderr, diags, path, wantColor(io, *noColor))
		}
		changed := 0
		for _, f := range files {
			if !f.Changed() {
				continue
			}
			changed++
			fmt.Fprintln(io.Stdout, f.Path)
			if *diff {
				fmt.Fprint(io.Stdout, specs.UnifiedDiff(f.Path, f.Old, f.New))
			}
			if *check {
				continue
			}
			st, err := os.Stat(f.Path)
			if err != nil {
				errorf(io.Stderr, err)
				return ExitError
			}
			if err := os.WriteFile(f.Path, f.New, st.Mode().Perm()); err != nil {
				errorf(io.Stderr, fmt.Errorf("writing %s: %w", f.Path, err))
				return ExitError
			}
		}
		switch {
		case diags.HasErrors():
			return ExitError
		case *check && changed > 0:
			return 3
		}
		return ExitOK
	}
	return c
}

// formatTree formats the *.hcl files of path: one file, or every file of a
// folder and its subfolders (those starting with "." excepted), so that
// 'mailform fmt -check examples' checks every example. A folder without any
// spec file is an error: a check of nothing must not pass.
func formatTree(path string) ([]specs.FormattedFile, hcl.Diagnostics, error) {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		files, diags := specs.FormatPath(path)
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
	var files []specs.FormattedFile
	var diags hcl.Diagnostics
	for _, name := range names {
		f, d := specs.FormatPath(name)
		files = append(files, f...)
		diags = append(diags, d...)
	}
	return files, diags, nil
}
