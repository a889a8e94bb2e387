package specs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
)

// JSONFormatVersion is the version of the document ResourcesJSON writes
// (docs/validate-json.md). It changes only when a field changes meaning or
// goes away; new fields may appear within a version.
const JSONFormatVersion = "1"

type jsonDocument struct {
	FormatVersion string         `json:"format_version"`
	Stack         string         `json:"stack"`
	Region        string         `json:"region"`
	Resources     []jsonResource `json:"resources"`
	ManualRecords []string       `json:"manual_records"`
}

type jsonResource struct {
	Address    string         `json:"address"`
	Kind       Kind           `json:"kind"`
	Attributes map[string]any `json:"attributes"`
	DependsOn  []string       `json:"depends_on"`
	Range      jsonRange      `json:"range"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// ResourcesJSON renders the document `mailform validate -json` prints: the
// stack, its region, every resource sorted by address, and the addresses of
// the records the user publishes at their own DNS provider. Values known only
// after apply read "(known after apply)" and secrets "(sensitive)". File names
// are relative to the spec's folder. The output is deterministic.
func ResourcesJSON(spec *Spec) ([]byte, error) {
	if spec == nil {
		return nil, fmt.Errorf("rendering resources: no spec")
	}
	doc := jsonDocument{
		FormatVersion: JSONFormatVersion,
		Stack:         spec.Stack,
		Region:        spec.Region,
		Resources:     []jsonResource{},
		ManualRecords: []string{},
	}
	for _, r := range spec.Resources() {
		deps := r.DependsOn
		if deps == nil {
			deps = []string{}
		}
		doc.Resources = append(doc.Resources, jsonResource{
			Address:    r.Addr,
			Kind:       r.Kind,
			Attributes: r.Attrs,
			DependsOn:  deps,
			Range:      spec.jsonRange(r.DeclRange),
		})
		if r.Kind == KindManualDNSRecord {
			doc.ManualRecords = append(doc.ManualRecords, r.Addr)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("rendering resources: %w", err)
	}
	return buf.Bytes(), nil
}

func (s *Spec) jsonRange(r hcl.Range) jsonRange {
	name := r.Filename
	if rel, err := filepath.Rel(s.Dir, name); err == nil {
		name = filepath.ToSlash(rel)
	}
	return jsonRange{
		Filename: name,
		Start:    jsonPos{Line: r.Start.Line, Column: r.Start.Column},
		End:      jsonPos{Line: r.End.Line, Column: r.End.Column},
	}
}
