package cli

import (
	"context"
	"sort"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// readDeferredRecords completes a read with the record sets whose names were
// known only from other resources' live state: an Easy DKIM CNAME is named
// after a token SES chose, so the first read could not look for it. When the
// identity exists and the record set was published without mailform (by
// hand, before an -adopt or an import), it is read now, so that the plan
// adopts it instead of creating it over a set that is there. Records the
// stack owns were found by their markers already: a plan of a stack that
// created its records makes no second read.
func (s *session) readDeferredRecords(ctx context.Context, desired []specs.Resource, observed []plan.Observed) ([]plan.Observed, error) {
	if s.services.route53 == nil {
		return observed, nil
	}
	seen := map[string]bool{}
	for _, o := range observed {
		seen[o.Addr] = true
	}
	resolved := plan.Resolve(desired, observed)
	var again []specs.Resource
	for i, r := range desired {
		if r.Kind != specs.KindRoute53Record || seen[r.Addr] {
			continue
		}
		if _, deferred := r.Attrs["name"].(specs.Deferred); !deferred {
			continue
		}
		if _, known := resolved[i].Attrs["name"].(string); known {
			again = append(again, resolved[i])
		}
	}
	if len(again) == 0 {
		return observed, nil
	}
	found, err := s.services.route53.Read(ctx, s.stack, again)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, r := range again {
		want[r.Addr] = true
	}
	for _, o := range found {
		if want[o.Addr] && !seen[o.Addr] {
			observed = append(observed, o)
		}
	}
	sort.Slice(observed, func(i, j int) bool { return observed[i].Addr < observed[j].Addr })
	return observed, nil
}
