package planfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
	"github.com/mailform/mailform/specs/kinds"
)

// planFileFormat identifies a mailform plan file.
const planFileFormat = "mailform-plan"

// maxPlanFileSize bounds what Load reads: a plan of every resource an account
// can hold is far smaller.
const maxPlanFileSize = 64 << 20

// A plan file is JSON. Values keep what apply needs: a value known only after
// apply is {"deferred": "<template>"}, a secret is {"sensitive": true} (never a
// value, never a digest), and a map that could be mistaken for either is
// wrapped as {"map": {...}}. Numbers without a fraction are integers.
type planFile struct {
	Format          string            `json:"format"`
	FormatVersion   string            `json:"format_version"`
	Stack           string            `json:"stack"`
	Region          string            `json:"region"`
	Account         string            `json:"account,omitempty"`
	Destroy         bool              `json:"destroy"`
	Targets         []string          `json:"targets"`
	StateDigest     string            `json:"state_digest"`
	ResourceDigests map[string]string `json:"resource_digests"`
	Notes           []string          `json:"notes"`
	SpecDir         string            `json:"spec_dir,omitempty"`
	Changes         []fileChange      `json:"changes"`
	Manual          []fileChange      `json:"manual"`
}

type fileChange struct {
	Addr      string         `json:"address"`
	Kind      string         `json:"kind"`
	Action    string         `json:"action"`
	ID        string         `json:"id,omitempty"`
	Before    map[string]any `json:"before,omitempty"`
	After     map[string]any `json:"after,omitempty"`
	Diffs     []fileDiff     `json:"diffs,omitempty"`
	DependsOn []string       `json:"depends_on,omitempty"`
	Reason    string         `json:"reason,omitempty"`
	Causes    []plan.Cause   `json:"causes,omitempty"`
	Adopt     bool           `json:"adopt,omitempty"`
	DeclRange *fileRange     `json:"decl_range,omitempty"`
}

type fileDiff struct {
	Name     string `json:"name"`
	Before   any    `json:"before,omitempty"`
	After    any    `json:"after,omitempty"`
	Unknown  bool   `json:"unknown,omitempty"`
	Replaces bool   `json:"replaces,omitempty"`
}

type fileRange struct {
	Filename string  `json:"filename"`
	Start    filePos `json:"start"`
	End      filePos `json:"end"`
}

type filePos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// Save writes p to w as a plan file: everything apply needs and no secret.
func Save(w io.Writer, p *plan.Plan) error {
	if p == nil {
		return errors.New("save plan: no plan")
	}
	f := planFile{
		Format:          planFileFormat,
		FormatVersion:   plan.FormatVersion,
		Stack:           p.Stack,
		Region:          p.Region,
		Account:         p.Account,
		Destroy:         p.Destroy,
		Targets:         p.Targets,
		StateDigest:     p.StateDigest,
		ResourceDigests: p.ResourceDigests,
		Notes:           p.Notes,
		SpecDir:         p.SpecDir,
	}
	for _, c := range p.Changes {
		f.Changes = append(f.Changes, toFileChange(c))
	}
	for _, c := range p.Manual {
		f.Manual = append(f.Manual, toFileChange(c))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}

func toFileChange(c plan.Change) fileChange {
	fc := fileChange{
		Addr:      c.Addr,
		Kind:      string(c.Kind),
		Action:    string(c.Action),
		ID:        c.ID,
		Before:    encodeAttrs(c.Before),
		After:     encodeAttrs(c.After),
		DependsOn: c.DependsOn,
		Reason:    c.Reason,
		Causes:    c.Causes,
		Adopt:     c.Adopt,
	}
	for _, d := range c.Diffs {
		fc.Diffs = append(fc.Diffs, fileDiff{
			Name:     d.Name,
			Before:   encodeValue(d.Before),
			After:    encodeValue(d.After),
			Unknown:  d.Unknown,
			Replaces: d.Replaces,
		})
	}
	if r := c.DeclRange; r.Filename != "" || r.Start.Line != 0 {
		fc.DeclRange = &fileRange{
			Filename: r.Filename,
			Start:    filePos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
			End:      filePos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
		}
	}
	return fc
}

func encodeAttrs(attrs map[string]any) map[string]any {
	if attrs == nil {
		return nil
	}
	out := make(map[string]any, len(attrs))
	for k, v := range attrs {
		out[k] = encodeValue(v)
	}
	return out
}

// encodeValue writes one value in plan-file form.
func encodeValue(v any) any {
	switch x := plan.JSONLike(v).(type) {
	case specs.Deferred:
		return map[string]any{"deferred": string(x)}
	case specs.Sensitive:
		return map[string]any{"sensitive": true}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = encodeValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = encodeValue(e)
		}
		if len(x) == 1 {
			for k := range x {
				if k == "deferred" || k == "sensitive" || k == "map" {
					return map[string]any{"map": out}
				}
			}
		}
		return out
	default:
		return x
	}
}

// Load reads a plan file written by Save. It refuses files that are not
// mailform plans, that come from a newer mailform, or that are malformed.
func Load(r io.Reader) (*plan.Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPlanFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load plan: %w", err)
	}
	if len(data) > maxPlanFileSize {
		return nil, fmt.Errorf("load plan: file larger than %d MiB; not a mailform plan", maxPlanFileSize>>20)
	}
	// Read the header alone first, so that a file from a newer mailform gets a
	// clear answer rather than an error about a field it added.
	var head struct {
		Format        string `json:"format"`
		FormatVersion any    `json:"format_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("load plan: not a mailform plan file: %w", err)
	}
	if head.Format != planFileFormat {
		return nil, errors.New(`load plan: not a mailform plan file (no "format": "mailform-plan")`)
	}
	version, ok := head.FormatVersion.(string)
	if !ok {
		return nil, fmt.Errorf("load plan: format_version must be a string such as %q", plan.FormatVersion)
	}
	n, err := strconv.Atoi(version)
	current, _ := strconv.Atoi(plan.FormatVersion)
	switch {
	case err != nil || n < 1:
		return nil, fmt.Errorf("load plan: unknown plan file format version %q (this mailform reads version %s)", version, plan.FormatVersion)
	case n > current:
		return nil, fmt.Errorf("load plan: the plan file has format version %s, newer than this mailform understands (%s); use the mailform that made it, or plan again", version, plan.FormatVersion)
	case n != current:
		return nil, fmt.Errorf("load plan: plan file format version %s is no longer supported (this mailform reads version %s); plan again", version, plan.FormatVersion)
	}

	var f planFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("load plan: %w", err)
	}
	if dec.More() {
		return nil, errors.New("load plan: unexpected data after the plan")
	}
	p := &plan.Plan{
		FormatVersion:   f.FormatVersion,
		Stack:           f.Stack,
		Region:          f.Region,
		Account:         f.Account,
		Destroy:         f.Destroy,
		Targets:         f.Targets,
		Notes:           f.Notes,
		SpecDir:         f.SpecDir,
		StateDigest:     f.StateDigest,
		ResourceDigests: f.ResourceDigests,
	}
	if p.Stack == "" {
		return nil, errors.New("load plan: the plan names no stack")
	}
	seen := map[string]bool{}
	for i, fc := range f.Changes {
		c, err := fromFileChange(fc)
		if err != nil {
			return nil, fmt.Errorf("load plan: change %d: %w", i, err)
		}
		if c.Action == plan.Manual || c.Action == plan.NoOp {
			return nil, fmt.Errorf("load plan: change %d (%s): action %q is not a change", i, c.Addr, c.Action)
		}
		if seen[c.Addr] {
			return nil, fmt.Errorf("load plan: %s appears twice", c.Addr)
		}
		seen[c.Addr] = true
		p.Changes = append(p.Changes, c)
	}
	for i, fc := range f.Manual {
		c, err := fromFileChange(fc)
		if err != nil {
			return nil, fmt.Errorf("load plan: manual record %d: %w", i, err)
		}
		if c.Action != plan.Manual {
			return nil, fmt.Errorf("load plan: manual record %d (%s) has action %q", i, c.Addr, c.Action)
		}
		p.Manual = append(p.Manual, c)
	}
	if !sort.SliceIsSorted(p.Changes, func(i, j int) bool { return p.Changes[i].Addr < p.Changes[j].Addr }) {
		return nil, errors.New("load plan: changes are not sorted by address; the file was edited")
	}
	return p, nil
}

var knownActions = map[plan.Action]bool{plan.NoOp: true, plan.Create: true, plan.Update: true, plan.Replace: true, plan.Delete: true, plan.Manual: true}

func fromFileChange(fc fileChange) (plan.Change, error) {
	c := plan.Change{
		Addr:      fc.Addr,
		Kind:      specs.Kind(fc.Kind),
		Action:    plan.Action(fc.Action),
		ID:        fc.ID,
		DependsOn: fc.DependsOn,
		Reason:    fc.Reason,
		Causes:    fc.Causes,
		Adopt:     fc.Adopt,
	}
	if c.Addr == "" {
		return plan.Change{}, errors.New("no address")
	}
	if kinds.Of(c.Kind) == nil { // a kind with no schema (specs/kinds)
		return plan.Change{}, fmt.Errorf("%s: unknown kind %q", c.Addr, fc.Kind)
	}
	if len(c.Causes) == 0 {
		c.Causes = nil // "causes": [] saves as nothing
	}
	for _, cause := range c.Causes {
		if !cause.Known() {
			return plan.Change{}, fmt.Errorf("%s: unknown cause %q", c.Addr, cause)
		}
	}
	if !knownActions[c.Action] {
		return plan.Change{}, fmt.Errorf("%s: unknown action %q", c.Addr, fc.Action)
	}
	var err error
	if c.Before, err = decodeAttrs(fc.Before); err != nil {
		return plan.Change{}, fmt.Errorf("%s: before: %w", c.Addr, err)
	}
	if c.After, err = decodeAttrs(fc.After); err != nil {
		return plan.Change{}, fmt.Errorf("%s: after: %w", c.Addr, err)
	}
	// Save leaves empty attribute maps out; load them as absent alike, so
	// that a loaded plan saves and loads again unchanged.
	if len(c.Before) == 0 {
		c.Before = nil
	}
	if len(c.After) == 0 {
		c.After = nil
	}
	for _, d := range fc.Diffs {
		before, err := decodeValue(d.Before)
		if err != nil {
			return plan.Change{}, fmt.Errorf("%s: diff %s: %w", c.Addr, d.Name, err)
		}
		after, err := decodeValue(d.After)
		if err != nil {
			return plan.Change{}, fmt.Errorf("%s: diff %s: %w", c.Addr, d.Name, err)
		}
		c.Diffs = append(c.Diffs, plan.AttrDiff{Name: d.Name, Before: before, After: after, Unknown: d.Unknown, Replaces: d.Replaces})
	}
	// A range with neither a file nor a start line locates nothing; Save
	// leaves such ranges out, and Load ignores them alike.
	if r := fc.DeclRange; r != nil && (r.Filename != "" || r.Start.Line != 0) {
		c.DeclRange = hcl.Range{
			Filename: r.Filename,
			Start:    hcl.Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
			End:      hcl.Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
		}
	}
	return c, nil
}

func decodeAttrs(attrs map[string]any) (map[string]any, error) {
	if attrs == nil {
		return nil, nil
	}
	out := make(map[string]any, len(attrs))
	for k, v := range attrs {
		d, err := decodeValue(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = d
	}
	return out, nil
}

// decodeValue reads one value in plan-file form (see encodeValue).
func decodeValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool:
		return x, nil
	case json.Number:
		return plan.JSONLike(x), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			d, err := decodeValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = d
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			if t, ok := x["deferred"]; ok {
				s, ok := t.(string)
				if !ok {
					return nil, errors.New(`"deferred" must hold a template string`)
				}
				return specs.Deferred(s), nil
			}
			if t, ok := x["sensitive"]; ok {
				if t != true {
					return nil, errors.New(`"sensitive" must be true`)
				}
				return specs.Sensitive{}, nil
			}
			if t, ok := x["map"]; ok {
				inner, ok := t.(map[string]any)
				if !ok {
					return nil, errors.New(`"map" must hold an object`)
				}
				return decodeAttrs(inner)
			}
		}
		return decodeAttrs(x)
	}
	return nil, fmt.Errorf("unexpected value of type %T", v)
}
