package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/specs"
)

// specFlags are the flags of every command that loads a spec.
type specFlags struct {
	vars     stringList
	varFiles stringList
	noColor  bool
}

func (f *specFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.vars, "var", "set an input variable, `NAME=VALUE` (repeatable)")
	fs.Var(&f.varFiles, "var-file", "read input variables from an HCL `FILE` of NAME = VALUE lines (repeatable)")
	fs.BoolVar(&f.noColor, "no-color", false, "print without colours")
}

// load reads, validates and expands the spec at path, printing every
// diagnostic to stderr. It returns nil when there are errors.
func (f *specFlags) load(path string, io IO) *specs.Spec {
	vars := map[string]string{}
	var badVars hcl.Diagnostics
	for _, kv := range f.vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			badVars = append(badVars, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid -var option",
				Detail:   fmt.Sprintf("The option -var %q is not of the form NAME=VALUE, e.g. -var ops_email=ops@acme.example.", kv),
			})
			continue
		}
		vars[strings.TrimSpace(k)] = v
	}
	if len(badVars) > 0 {
		printDiagnostics(io.Stderr, badVars, path, f.color(io))
		return nil
	}
	spec, diags := specs.Load(path, specs.LoadOptions{Vars: vars, VarFiles: f.varFiles, Environ: io.Env})
	if len(diags) > 0 {
		files := map[string]*hcl.File{}
		if spec != nil {
			files = spec.Files()
		}
		printDiagnosticsWithFiles(io.Stderr, diags, files, path, f.color(io))
	}
	if diags.HasErrors() {
		return nil
	}
	return spec
}

func (f *specFlags) color(io IO) bool { return wantColor(io, f.noColor) }

// wantColor is true when stdout is a terminal, colours were not turned off
// with -no-color, and NO_COLOR is unset.
func wantColor(io IO, noColor bool) bool {
	if noColor || io.getenv("NO_COLOR") != "" || io.getenv("TERM") == "dumb" {
		return false
	}
	file, ok := io.Stdout.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// printDiagnostics renders diagnostics with source snippets read from disk.
func printDiagnostics(w io.Writer, diags hcl.Diagnostics, specPath string, color bool) {
	printDiagnosticsWithFiles(w, diags, nil, specPath, color)
}

// printDiagnosticsWithFiles renders diagnostics with source snippets taken
// from files, or read from disk (relative to the working directory or to
// the spec's folder) for files it lacks.
// In -json mode they are also kept for the JSON diagnostics document.
func printDiagnosticsWithFiles(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File, specPath string, color bool) {
	noteDiagnostics(w, diags)
	all := map[string]*hcl.File{}
	for name, f := range files {
		all[name] = f
	}
	dir := specPath
	if st, err := os.Stat(specPath); err == nil && !st.IsDir() {
		dir = filepath.Dir(specPath)
	}
	for _, d := range diags {
		for _, r := range []*hcl.Range{d.Subject, d.Context} {
			if r == nil || r.Filename == "" || all[r.Filename] != nil {
				continue
			}
			for _, candidate := range []string{r.Filename, filepath.Join(dir, r.Filename)} {
				if src, err := os.ReadFile(candidate); err == nil {
					all[r.Filename] = specs.SourceFile(src, r.Filename)
					break
				}
			}
		}
	}
	_ = specs.WriteDiagnostics(w, diags, all, color)
}

func validateCommand() *command {
	c := &command{
		name:     "validate",
		synopsis: "Check a spec for errors without contacting AWS",
		usage:    "mailform validate [PATH] [-json] [-var NAME=VALUE] [-var-file FILE]",
		help: `Reads the spec, evaluates variables, locals and functions, and checks every rule
of the spec language: names, references, SPF lookup counts, DMARC tags, record
conflicts, value ranges. Every problem is reported at once with its file:line:col
and how to fix it. Warnings (such as an SPF record at 8-10 DNS lookups) are
printed but do not fail.

With -json it prints the resources the spec expands into (every SES identity,
topic, user and DNS record, with final values; secrets as "(sensitive)",
values only AWS can tell as "(known after apply)"), in the schema documented
in docs/validate-json.md.

Exit status: 0 when the spec is valid, 1 when it has errors.`,
		example: `mailform validate
mailform validate examples/ses-domain
mailform validate -var ops_email=ops@acme.example -json > resources.json`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, specGroup)
		asJSON := st.fs.Bool("json", false, "print the resources the spec expands into, as JSON")
		path, code, ok := st.parsePath(args)
		if !ok {
			return code
		}
		view := newValidateView(io, *asJSON)
		spec := st.load(path)
		if spec == nil {
			return ExitError
		}
		return exitOf(io, view.Valid(spec))
	}
	return c
}

// countSummary says how many blocks and resources a spec has.
func countSummary(spec *specs.Spec) string {
	var parts []string
	add := func(n int, one, many string) {
		switch n {
		case 0:
		case 1:
			parts = append(parts, "1 "+one)
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	add(len(spec.Domains), "domain", "domains")
	add(len(spec.Emails), "email address", "email addresses")
	add(len(spec.Topics), "topic", "topics")
	add(len(spec.ConfigurationSets), "configuration set", "configuration sets")
	add(len(spec.SMTPUsers), "SMTP user", "SMTP users")
	add(len(spec.MTAs), "MTA", "MTAs")
	add(len(spec.DKIMKeys), "DKIM key", "DKIM keys")
	add(len(spec.Records), "record block", "record blocks")
	res := spec.Resources()
	records := 0
	for _, r := range res {
		if r.Kind == specs.KindRoute53Record || r.Kind == specs.KindManualDNSRecord {
			records++
		}
	}
	summary := strings.Join(parts, ", ")
	if summary == "" {
		summary = "no blocks"
	}
	return fmt.Sprintf("%s; %d resources, of which %d DNS records", summary, len(res), records)
}

// writeJSONLine prints v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }
