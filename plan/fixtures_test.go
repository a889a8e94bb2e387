package plan

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/plan/internal/fixture"
	"github.com/mailform/mailform/specs"
)

// The fixtures are the stack acme-prod of plan/internal/fixture, under the
// short names plan's tests use.

const (
	stack  = fixture.Stack
	region = fixture.Region

	topicARN = fixture.TopicARN
	queueARN = fixture.QueueARN

	secretDigest = fixture.SecretDigest
)

var tokens = fixture.Tokens

func at(line int) hcl.Range { return fixture.At(line) }

func identityRes() specs.Resource        { return fixture.IdentityRes() }
func dkimRecordRes(i int) specs.Resource { return fixture.DKIMRecordRes(i) }
func dmarcRes() specs.Resource           { return fixture.DMARCRes() }
func spfRes() specs.Resource             { return fixture.SPFRes() }
func topicRes() specs.Resource           { return fixture.TopicRes() }
func queueRes() specs.Resource           { return fixture.QueueRes() }
func configSetRes() specs.Resource       { return fixture.ConfigSetRes() }
func smtpUserRes() specs.Resource        { return fixture.SMTPUserRes() }
func manualDMARCRes() specs.Resource     { return fixture.ManualDMARCRes() }
func manualDKIMRes() specs.Resource      { return fixture.ManualDKIMRes() }
func desiredStack() []specs.Resource     { return fixture.DesiredStack() }

// observed turns a fixture's observed resource into plan's.
func observed(o fixture.Observed) Observed {
	return Observed{Addr: o.Addr, Kind: o.Kind, ID: o.ID, Owner: o.Owner, Attrs: o.Attrs}
}

func obsIdentity() Observed                      { return observed(fixture.ObsIdentity()) }
func obsDKIMRecord(i int, token string) Observed { return observed(fixture.ObsDKIMRecord(i, token)) }
func obsDMARC() Observed                         { return observed(fixture.ObsDMARC()) }
func obsTopic() Observed                         { return observed(fixture.ObsTopic()) }
func obsQueue() Observed                         { return observed(fixture.ObsQueue()) }
func obsConfigSet() Observed                     { return observed(fixture.ObsConfigSet()) }
func obsSMTPUser() Observed                      { return observed(fixture.ObsSMTPUser()) }

// observedStack is AWS once the fixture spec has been applied.
func observedStack() []Observed {
	var out []Observed
	for _, o := range fixture.ObservedStack() {
		out = append(out, observed(o))
	}
	return out
}

// without returns observed without the resources at the given addresses.
func without(observed []Observed, addrs ...string) []Observed {
	drop := map[string]bool{}
	for _, a := range addrs {
		drop[a] = true
	}
	var out []Observed
	for _, o := range observed {
		if !drop[o.Addr] {
			out = append(out, o)
		}
	}
	return out
}

// replaced returns observed with the resource at o.Addr replaced by o.
func replaced(observed []Observed, o Observed) []Observed {
	out := append([]Observed(nil), observed...)
	for i := range out {
		if out[i].Addr == o.Addr {
			out[i] = o
			return out
		}
	}
	return append(out, o)
}

// withAttr returns a copy of o with attribute k set to v (deleted when v is nil).
func withAttr(o Observed, k string, v any) Observed {
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

func resWithAttr(r specs.Resource, k string, v any) specs.Resource {
	attrs := make(map[string]any, len(r.Attrs))
	for key, val := range r.Attrs {
		attrs[key] = val
	}
	attrs[k] = v
	r.Attrs = attrs
	return r
}

func actions(p *Plan) map[string]Action {
	out := map[string]Action{}
	for _, c := range p.Changes {
		out[c.Addr] = c.Action
	}
	return out
}
