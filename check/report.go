package check

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Status is the outcome of one check.
type Status string

// The outcomes, from best to worst. INFO and WARN do not fail a run.
const (
	OK   Status = "OK"
	Info Status = "INFO"
	Warn Status = "WARN"
	Fail Status = "FAIL"
)

// Result is one check of one name.
type Result struct {
	Group    string   `json:"group"`             // the domain (or MTA, or identity) it belongs to
	Check    string   `json:"check"`             // "DKIM", "SPF", "DMARC", "MAIL FROM", "delegation", "A", "PTR", "SES DKIM", ...
	Address  string   `json:"address,omitempty"` // the resource address it verifies, when there is one
	Name     string   `json:"name,omitempty"`    // the DNS name asked, fully qualified
	Type     string   `json:"type,omitempty"`    // the record type asked
	Status   Status   `json:"status"`            //
	Message  string   `json:"message"`           // one line saying what was found
	Expected []string `json:"expected,omitempty"`
	Served   []string `json:"served,omitempty"`
	Details  []string `json:"details,omitempty"` // further lines: per-include lookup counts, per-server answers
	// Sources and Fix are set by the bulk-sender checks: who states the
	// requirement, and what to do when it is not met.
	Sources []Source `json:"sources,omitempty"`
	Fix     string   `json:"fix,omitempty"`
}

// Report is the outcome of a check run.
type Report struct {
	Resolver          string   // the -resolver address, or "" when the authoritative servers were asked
	DelegationChecked bool     // false with a resolver: the delegation check was skipped
	Results           []Result // grouped, in the order of Groups
	DNSQueries        int      // queries sent, when the resolver counts them
	BulkSender        bool     // the report is of the bulk-sender requirements (BulkSender)
}

// Summary counts results by status.
type Summary struct {
	OK   int `json:"ok"`
	Info int `json:"info"`
	Warn int `json:"warn"`
	Fail int `json:"fail"`
}

// Summary counts the report's results by status.
func (r *Report) Summary() Summary {
	var s Summary
	for _, res := range r.Results {
		switch res.Status {
		case OK:
			s.OK++
		case Info:
			s.Info++
		case Warn:
			s.Warn++
		default:
			s.Fail++
		}
	}
	return s
}

// Passed reports whether no check failed (warnings allowed).
func (r *Report) Passed() bool { return r.Summary().Fail == 0 }

// Failed returns the failed results.
func (r *Report) Failed() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == Fail {
			out = append(out, res)
		}
	}
	return out
}

// Groups lists the groups in the order of the report.
func (r *Report) Groups() []string {
	var out []string
	seen := map[string]bool{}
	for _, res := range r.Results {
		if !seen[res.Group] {
			seen[res.Group] = true
			out = append(out, res.Group)
		}
	}
	return out
}

// sortResults orders results by group, then keeps the order checks were
// made in within a group (stable), so that output is deterministic.
func sortResults(results []Result, groupOrder []string) {
	pos := map[string]int{}
	for i, g := range groupOrder {
		pos[g] = i
	}
	key := func(g string) (int, string) {
		if p, ok := pos[g]; ok {
			return p, ""
		}
		return len(groupOrder), g
	}
	sort.SliceStable(results, func(i, j int) bool {
		pi, gi := key(results[i].Group)
		pj, gj := key(results[j].Group)
		if pi != pj {
			return pi < pj
		}
		return gi < gj
	})
}

// WriteHuman writes the report grouped by domain, one aligned line per
// check, expected and served values under a check that is not OK, and a
// summary line.
func WriteHuman(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	if r.Resolver != "" {
		ew.printf("Asking %s for every name (-resolver); the delegation check is skipped.\n\n", r.Resolver)
	}
	checkWidth, nameWidth := 0, 0
	for _, res := range r.Results {
		checkWidth = max(checkWidth, len(res.Check))
		nameWidth = max(nameWidth, len(nameType(res)))
	}
	nameWidth = min(nameWidth, 60)
	for i, g := range r.Groups() {
		if i > 0 {
			ew.printf("\n")
		}
		ew.printf("%s\n", g)
		for _, res := range r.Results {
			if res.Group != g {
				continue
			}
			line := fmt.Sprintf("  %-4s  %-*s  %-*s  %s", res.Status, checkWidth, res.Check, nameWidth, nameType(res), res.Message)
			ew.printf("%s\n", strings.TrimRight(line, " "))
			indent := strings.Repeat(" ", 8)
			if res.Status != OK && (len(res.Expected) > 0 || len(res.Served) > 0) && !slices.Equal(res.Expected, res.Served) {
				ew.printf("%sexpected: %s\n", indent, valueList(res.Expected))
				ew.printf("%sserved:   %s\n", indent, valueList(res.Served))
			}
			for _, d := range res.Details {
				ew.printf("%s%s\n", indent, d)
			}
			writeRequirement(ew, res, indent)
		}
	}
	s := r.Summary()
	verdict := "mail will authenticate as far as DNS and SES tell"
	if r.BulkSender {
		verdict = "the mailbox providers' bulk-sender requirements are met as far as mailform can see"
	}
	if s.Fail > 0 {
		verdict = "fix the failed checks"
	}
	ew.printf("\nChecks: %d OK, %d INFO, %d WARN, %d FAIL: %s.\n", s.OK, s.Info, s.Warn, s.Fail, verdict)
	if r.BulkSender {
		writeSources(ew)
	}
	return ew.err
}

func nameType(res Result) string {
	if res.Type == "" {
		return res.Name
	}
	return res.Name + " " + res.Type
}

func valueList(values []string) string {
	if len(values) == 0 {
		return "(nothing)"
	}
	return strings.Join(values, ", ")
}

// JSONVersion is the version of the -json schema (docs/check.md).
const JSONVersion = "1"

// jsonReport is the -json document.
type jsonReport struct {
	FormatVersion     string   `json:"format_version"`
	Passed            bool     `json:"passed"`
	Resolver          string   `json:"resolver,omitempty"`
	DelegationChecked bool     `json:"delegation_checked"`
	Summary           Summary  `json:"summary"`
	DNSQueries        int      `json:"dns_queries,omitempty"`
	BulkSender        bool     `json:"bulk_sender,omitempty"`
	Checks            []Result `json:"checks"`
}

// WriteJSON writes the report in the schema of docs/check.md.
func WriteJSON(w io.Writer, r *Report) error {
	doc := jsonReport{
		FormatVersion:     JSONVersion,
		Passed:            r.Passed(),
		Resolver:          r.Resolver,
		DelegationChecked: r.DelegationChecked,
		Summary:           r.Summary(),
		DNSQueries:        r.DNSQueries,
		BulkSender:        r.BulkSender,
		Checks:            r.Results,
	}
	if doc.Checks == nil {
		doc.Checks = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing the check report: %w", err)
	}
	return nil
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}
