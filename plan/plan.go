package plan

// FormatVersion is the version of the plan file format and of the JSON
// rendering that this mailform writes and reads (docs/plan-json.md).
const FormatVersion = "1"

// Plan is what apply will do, as data: it can be saved, rendered and checked
// for staleness. Changes and Manual are sorted by address.
type Plan struct {
	FormatVersion string
	Stack         string
	Region        string
	Account       string   // the AWS account the plan was made against; "" when unknown
	Destroy       bool     // made with -destroy: every owned resource is deleted
	Targets       []string // the -target addresses the plan was limited to, sorted
	Changes       []Change // every create, update, replace and delete; no no-ops
	Manual        []Change // records to publish at the user's own DNS provider (Action Manual)
	Notes         []string // facts the user should know about this plan (e.g. -target limits it)
	// SpecDir is the spec's folder as given to plan (relative to where plan
	// ran). Applying a saved plan resolves file: secret locations against it,
	// so plan and apply run from the same folder, as pipelines do.
	SpecDir string

	// StateDigest is StateDigest of the live state the plan was made from.
	StateDigest string
	// ResourceDigests holds the digest of each observed resource, keyed by
	// address (ResourceKey), so that CheckStale can name what moved.
	ResourceDigests map[string]string
}

// Summary counts a plan's changes by action. Manual records are not changes.
type Summary struct {
	Create  int `json:"create"`
	Update  int `json:"update"`
	Replace int `json:"replace"`
	Delete  int `json:"delete"`
}

// Summary counts the plan's changes by action.
func (p *Plan) Summary() Summary {
	var s Summary
	if p == nil {
		return s
	}
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Replace:
			s.Replace++
		case Delete:
			s.Delete++
		}
	}
	return s
}

// HasChanges reports whether applying the plan would change anything in AWS.
// Manual records do not count: mailform never writes them.
func (p *Plan) HasChanges() bool {
	s := p.Summary()
	return s.Create+s.Update+s.Replace+s.Delete > 0
}

// Change returns the planned change of the resource at addr, if any.
func (p *Plan) Change(addr string) (Change, bool) {
	if p == nil {
		return Change{}, false
	}
	for _, c := range p.Changes {
		if c.Addr == addr {
			return c, true
		}
	}
	return Change{}, false
}
