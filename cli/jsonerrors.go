package cli

import (
	"encoding/json"
	"io"
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// JSONFormatVersion is the format_version of every JSON document and JSON
// line mailform prints that has no version of its own package's (the
// diagnostics document, status, test-send, apply's event lines): the same
// field, the same style, as docs/plan-json.md and docs/validate-json.md.
const JSONFormatVersion = "1"

// errorSink is a command's stderr. In -json mode it also keeps every error
// the command reports (errorf, spec diagnostics, flag errors), so that a
// failed command prints them on stdout as one JSON diagnostics document
// (docs/diagnostics-json.md) that CI can parse. The text still goes to
// stderr, for the people reading the log.
type errorSink struct {
	w     io.Writer
	json  bool
	diags []jsonDiagnostic
}

func (s *errorSink) Write(p []byte) (int, error) { return s.w.Write(p) }

// jsonDiagnostic is one entry of the diagnostics document.
type jsonDiagnostic struct {
	Severity string     `json:"severity"` // "error" or "warning"
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Hints    []string   `json:"hints,omitempty"`
	Range    *jsonRange `json:"range,omitempty"` // where in the spec, when the problem has a place
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// jsonDiagnostics is the document a failed -json command prints on stdout.
type jsonDiagnostics struct {
	FormatVersion string           `json:"format_version"`
	Type          string           `json:"type"` // "diagnostics", so that it is also one of apply's JSON lines
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

// wantsJSON is true when args ask for -json output (in any of the flag
// package's spellings).
func wantsJSON(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		return slices.Contains([]string{"-json", "--json", "-json=true", "--json=true", "-json=1", "--json=1"}, a)
	})
}

// noteError keeps err (and its hints) for the JSON diagnostics document when
// w is a command's stderr in -json mode; it prints nothing.
func noteError(w io.Writer, err error, hints ...string) {
	if s, ok := w.(*errorSink); ok && s.json {
		s.diags = append(s.diags, jsonDiagnostic{Severity: "error", Summary: err.Error(), Hints: hints})
	}
}

// noteDiagnostics keeps spec diagnostics for the JSON diagnostics document
// when w is a command's stderr in -json mode; it prints nothing.
func noteDiagnostics(w io.Writer, diags hcl.Diagnostics) {
	s, ok := w.(*errorSink)
	if !ok || !s.json {
		return
	}
	for _, d := range diags {
		jd := jsonDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
		}
		if r := d.Subject; r != nil && r.Filename != "" {
			jd.Range = &jsonRange{
				Filename: r.Filename,
				Start:    jsonPos{r.Start.Line, r.Start.Column, r.Start.Byte},
				End:      jsonPos{r.End.Line, r.End.Column, r.End.Byte},
			}
		}
		s.diags = append(s.diags, jd)
	}
}

// writeJSONErrors prints the diagnostics document of a failed -json command,
// as one line, when it reported any problem.
func (s *errorSink) writeJSONErrors(stdout io.Writer) error {
	if !s.json || len(s.diags) == 0 {
		return nil
	}
	doc := jsonDiagnostics{FormatVersion: JSONFormatVersion, Type: "diagnostics", Diagnostics: s.diags}
	for _, d := range s.diags {
		if d.Severity == "error" {
			doc.ErrorCount++
		} else {
			doc.WarningCount++
		}
	}
	doc.Valid = doc.ErrorCount == 0
	return json.NewEncoder(stdout).Encode(doc)
}
