package cli

import (
	"context"
	"fmt"
	"os"

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
		files, diags, err := specs.FormatTree(path)
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
