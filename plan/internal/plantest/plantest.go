// Package plantest builds the plans that the tests of plan's file format
// (plan/planfile) and renderings (plan/render) read: representative plans of
// the stack acme-prod (plan/internal/fixture), made by plan.Make, so that
// each view and the file format are tested on the same plans.
//
// It is for tests only: no product package imports it. Plan's own tests
// cannot use it (it imports plan); they use plan/internal/fixture.
package plantest

import (
	"testing"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/internal/fixture"
	"github.com/mailform/mailform/specs"
)

// Observed turns a fixture's observed resource into plan's.
func Observed(o fixture.Observed) plan.Observed {
	return plan.Observed{Addr: o.Addr, Kind: o.Kind, ID: o.ID, Owner: o.Owner, Attrs: o.Attrs}
}

// ObservedStack is AWS once the fixture spec has been applied.
func ObservedStack() []plan.Observed {
	var out []plan.Observed
	for _, o := range fixture.ObservedStack() {
		out = append(out, Observed(o))
	}
	return out
}

// Replaced returns observed with the resource at o.Addr replaced by o.
func Replaced(observed []plan.Observed, o plan.Observed) []plan.Observed {
	out := append([]plan.Observed(nil), observed...)
	for i := range out {
		if out[i].Addr == o.Addr {
			out[i] = o
			return out
		}
	}
	return append(out, o)
}

// WithAttr returns a copy of o with attribute k set to v (deleted when v is nil).
func WithAttr(o plan.Observed, k string, v any) plan.Observed {
	attrs := make(map[string]any, len(o.Attrs))
	for key, val := range o.Attrs {
		attrs[key] = val
	}
	if v == nil {
		delete(attrs, k)
	} else {
		attrs[k] = v
	}
	o.Attrs = attrs
	return o
}

// Plans are representative plans of the fixture stack, by name: "create"
// (everything, with a manual record known only after apply), "mixed" (one
// of each action, an adoption, a missing secret, unknowns), "nochanges",
// "destroy" and "targeted".
func Plans(t testing.TB) map[string]*plan.Plan {
	t.Helper()
	mk := func(desired []specs.Resource, observed []plan.Observed, opts plan.Options) *plan.Plan {
		t.Helper()
		opts.Stack, opts.Region = fixture.Stack, fixture.Region
		p, diags := plan.Make(desired, observed, opts)
		if diags.HasErrors() {
			t.Fatalf("making a test plan: %v", diags)
		}
		return p
	}

	// mixed: one of each action, an adoption, a missing secret, unknowns.
	alerts := specs.Resource{
		Addr:      "email.alerts@partner.example",
		Kind:      specs.KindSESIdentity,
		Attrs:     map[string]any{"identity": "alerts@partner.example", "type": "EMAIL_ADDRESS"},
		DeclRange: fixture.At(60),
	}
	mx := specs.Resource{
		Addr:      "record.acme.example.MX",
		Kind:      specs.KindRoute53Record,
		Attrs:     map[string]any{"zone": "acme.example.", "name": "acme.example.", "type": "MX", "ttl": int64(3600), "values": []any{"10 mta1.acme.example."}},
		DeclRange: fixture.At(90),
	}
	mixedObserved := ObservedStack()
	mixedObserved = Replaced(mixedObserved, WithAttr(Observed(fixture.ObsIdentity()), "dkim_tokens", []string{"newtok00", fixture.Tokens[1], fixture.Tokens[2]}))
	mixedObserved = Replaced(mixedObserved, WithAttr(Observed(fixture.ObsDMARC()), "ttl", 600))
	mixedObserved = Replaced(mixedObserved, WithAttr(Observed(fixture.ObsSMTPUser()), "password", nil))
	mixedObserved = append(mixedObserved,
		plan.Observed{Addr: "email.alerts@partner.example", Kind: specs.KindSESIdentity, ID: "alerts@partner.example",
			Attrs: map[string]any{"identity": "alerts@partner.example", "type": "EMAIL_ADDRESS", "verification_status": "PENDING"}},
		plan.Observed{Addr: "topic.old", Kind: specs.KindSNSTopic, ID: "arn:aws:sns:us-west-2:123456789012:acme-prod-old", Owner: fixture.Stack,
			Attrs: map[string]any{"name": "acme-prod-old", "ses_publish": true, "arn": "arn:aws:sns:us-west-2:123456789012:acme-prod-old"}})

	return map[string]*plan.Plan{
		"create":    mk(append(fixture.DesiredStack(), fixture.ManualDKIMRes()), nil, plan.Options{}),
		"mixed":     mk(append(fixture.DesiredStack(), alerts, mx), mixedObserved, plan.Options{Adopt: []string{"email.alerts@partner.example"}}),
		"nochanges": mk(fixture.DesiredStack(), ObservedStack(), plan.Options{}),
		"destroy":   mk(fixture.DesiredStack(), ObservedStack(), plan.Options{Destroy: true}),
		"targeted":  mk(fixture.DesiredStack(), nil, plan.Options{Targets: []string{"topic.feedback/queue"}}),
	}
}
