package render

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/hashicorp/hcl/v2"
	"github.com/mailform/mailform/plan"
)

// The JSON rendering (docs/plan-json.md). Every field is always present, so
// that consumers can rely on the shape: lists are [] rather than null, and
// absent values are null.

type jsonPlan struct {
	FormatVersion string       `json:"format_version"`
	Stack         string       `json:"stack"`
	Region        string       `json:"region"`
	Destroy       bool         `json:"destroy"`
	Targets       []string     `json:"targets"`
	HasChanges    bool         `json:"has_changes"`
	Summary       plan.Summary `json:"summary"`
	Changes       []jsonChange `json:"changes"`
	ManualRecords []jsonManual `json:"manual_records"`
	Notes         []string     `json:"notes"`
	StateDigest   string       `json:"state_digest"`
}

type jsonChange struct {
	Address   string         `json:"address"`
	Kind      string         `json:"kind"`
	Action    string         `json:"action"`
	ID        string         `json:"id"`
	Reason    string         `json:"reason"`
	Adopt     bool           `json:"adopt"`
	DependsOn []string       `json:"depends_on"`
	Source    *jsonSource    `json:"source"`
	Before    map[string]any `json:"before"`
	After     map[string]any `json:"after"`
	Diffs     []jsonDiff     `json:"diffs"`
}

type jsonDiff struct {
	Name      string `json:"name"`
	Before    any    `json:"before"`
	After     any    `json:"after"`
	Unknown   bool   `json:"unknown"`
	Sensitive bool   `json:"sensitive"`
	Replaces  bool   `json:"replaces"`
}

type jsonManual struct {
	Address       string      `json:"address"`
	Name          string      `json:"name"`
	Type          string      `json:"type"`
	TTL           any         `json:"ttl"`
	Values        []any       `json:"values"`
	ZoneFileLines []string    `json:"zone_file_lines"`
	Source        *jsonSource `json:"source"`
}

type jsonSource struct {
	Filename string `json:"filename"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

func sourceOf(r hcl.Range) *jsonSource {
	if r.Filename == "" {
		return nil
	}
	return &jsonSource{Filename: r.Filename, Line: r.Start.Line, Column: r.Start.Column}
}

func displayAttrs(attrs map[string]any) map[string]any {
	if attrs == nil {
		return nil
	}
	out, _ := displayJSON(attrs).(map[string]any)
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Render writes p as the JSON document of docs/plan-json.md.
func (JSONView) Render(w io.Writer, p *plan.Plan) error {
	if p == nil {
		return fmt.Errorf("render plan: no plan")
	}
	doc := jsonPlan{
		FormatVersion: plan.FormatVersion,
		Stack:         p.Stack,
		Region:        p.Region,
		Destroy:       p.Destroy,
		Targets:       nonNil(p.Targets),
		HasChanges:    p.HasChanges(),
		Summary:       p.Summary(),
		Changes:       []jsonChange{},
		ManualRecords: []jsonManual{},
		Notes:         nonNil(p.Notes),
		StateDigest:   p.StateDigest,
	}
	for _, c := range p.Changes {
		jc := jsonChange{
			Address:   c.Addr,
			Kind:      string(c.Kind),
			Action:    string(c.Action),
			ID:        c.ID,
			Reason:    c.Reason,
			Adopt:     c.Adopt,
			DependsOn: nonNil(c.DependsOn),
			Source:    sourceOf(c.DeclRange),
			Before:    displayAttrs(c.Before),
			After:     displayAttrs(c.After),
			Diffs:     []jsonDiff{},
		}
		for _, d := range c.Diffs {
			// A list with some unknown elements shows the ones that are known.
			after := displayJSON(d.After)
			jc.Diffs = append(jc.Diffs, jsonDiff{
				Name:      d.Name,
				Before:    displayJSON(d.Before),
				After:     after,
				Unknown:   d.Unknown,
				Sensitive: plan.IsSensitive(d.After) || plan.IsSensitive(d.Before),
				Replaces:  d.Replaces,
			})
		}
		doc.Changes = append(doc.Changes, jc)
	}
	for _, c := range p.Manual {
		name, _ := displayJSON(c.After["name"]).(string)
		typ, _ := c.After["type"].(string)
		values, _ := displayJSON(c.After["values"]).([]any)
		if values == nil {
			values = []any{}
		}
		doc.ManualRecords = append(doc.ManualRecords, jsonManual{
			Address:       c.Addr,
			Name:          name,
			Type:          typ,
			TTL:           plan.JSONLike(c.After["ttl"]),
			Values:        values,
			ZoneFileLines: nonNil(zoneFileLines(c)),
			Source:        sourceOf(c.DeclRange),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("render plan as JSON: %w", err)
	}
	return nil
}
