package plan

import (
	"fmt"
	"testing"

	"github.com/mailform/mailform/specs"
)

// applyInMemory carries a plan out against an in-memory account, the way
// apply does: wave by wave (Order), filling each change's values from what
// exists by then (Change.Resolved). AWS-assigned attributes (ARNs, DKIM
// tokens, secrets) get new values, as AWS would give them.
func applyInMemory(t *testing.T, p *Plan, observed []Observed, generation int) []Observed {
	t.Helper()
	live := map[string]Observed{}
	for _, o := range observed {
		live[o.Addr] = o
	}
	current := func() []Observed {
		out := make([]Observed, 0, len(live))
		for _, k := range specs.SortedKeys(live) {
			out = append(out, live[k])
		}
		return out
	}
	waves, err := Order(p.Changes)
	if err != nil {
		t.Fatal(err)
	}
	for _, wave := range waves {
		snapshot := current() // a wave runs in parallel: it sees only earlier waves
		for _, c := range wave {
			if c.Action == Delete {
				delete(live, c.Addr)
				continue
			}
			c = c.Resolved(snapshot)
			if c.HasUnknowns() {
				t.Fatalf("%s %s runs before its values are known: %v", c.Action, c.Addr, c.After)
			}
			attrs := copyAttrs(c.After)
			id := c.Addr
			if old, ok := live[c.Addr]; ok && c.Action == Update {
				// An update keeps what AWS assigned.
				for k, v := range old.Attrs {
					if _, declared := attrs[k]; !declared {
						attrs[k] = v
					}
				}
				id = old.ID
			} else {
				assignByAWS(c.Kind, attrs, generation)
			}
			for k, v := range attrs {
				if IsSensitive(v) {
					attrs[k] = specs.Sensitive{Digest: fmt.Sprintf("digest-%d", generation)}
				}
			}
			live[c.Addr] = Observed{Addr: c.Addr, Kind: c.Kind, ID: id, Owner: p.Stack, Attrs: attrs}
		}
	}
	return current()
}

func assignByAWS(kind specs.Kind, attrs map[string]any, generation int) {
	name, _ := attrs["name"].(string)
	switch kind {
	case specs.KindSESIdentity:
		id, _ := attrs["identity"].(string)
		attrs["dkim_tokens"] = []any{
			fmt.Sprintf("g%da-%s", generation, id), fmt.Sprintf("g%db-%s", generation, id), fmt.Sprintf("g%dc-%s", generation, id),
		}
	case specs.KindSNSTopic, specs.KindSQSQueue:
		attrs["arn"] = fmt.Sprintf("arn:aws:%s:us-west-2:123456789012:%s:%d", kind, name, generation)
	case specs.KindEIP:
		attrs["public_ip"] = fmt.Sprintf("198.51.100.%d", generation)
	case specs.KindDKIMKey:
		attrs["public_key"] = fmt.Sprintf("PUBLICKEY%d", generation)
	}
}

// Whatever state AWS is in, applying the plan and planning again gives no
// changes, and no change runs before the values it needs are known.
func TestApplyConverges(t *testing.T) {
	mta := []specs.Resource{
		{Addr: "mta.mta1", Kind: specs.KindEIP, Attrs: map[string]any{"hostname": "mta1.acme.example.", "reverse_dns": true}},
		{Addr: "mta.mta1/a", Kind: specs.KindRoute53Record, DependsOn: []string{"mta.mta1"}, Attrs: map[string]any{
			"zone": "acme.example.", "name": "mta1.acme.example.", "type": "A", "ttl": int64(300),
			"values": []any{specs.Deferred(specs.Ref("mta.mta1", "public_ip"))}}},
		{Addr: "dkim_key.mta1", Kind: specs.KindDKIMKey, Attrs: map[string]any{"location": "ssm:/k", "key_length": int64(2048), "private_key": specs.Sensitive{}}},
		{Addr: "dkim_key.mta1/txt", Kind: specs.KindRoute53Record, DependsOn: []string{"dkim_key.mta1"}, Attrs: map[string]any{
			"zone": "acme.example.", "name": "mta1._domainkey.acme.example.", "type": "TXT", "ttl": int64(300),
			"values": []any{specs.Deferred("v=DKIM1; k=rsa; p=" + specs.Ref("dkim_key.mta1", "public_key"))}}},
		{Addr: "domain.acme.example/spf", Kind: specs.KindRoute53Record, DependsOn: []string{"domain.acme.example", "mta.mta1"}, Attrs: map[string]any{
			"zone": "acme.example.", "name": "acme.example.", "type": "TXT", "ttl": int64(300), "shared": true,
			"values": []any{specs.Deferred("v=spf1 ip4:" + specs.Ref("mta.mta1", "public_ip") + " include:amazonses.com ~all")}}},
	}
	desired := append(desiredStack(), mta...)
	topicRenamed := append(without2(desiredStack(), "topic.feedback"), specs.Resource{
		Addr: "topic.feedback", Kind: specs.KindSNSTopic, Attrs: map[string]any{"name": "acme-prod-bounces", "ses_publish": true}})

	tests := []struct {
		name     string
		desired  []specs.Resource
		observed []Observed
	}{
		{"from nothing", desired, nil},
		{"from the applied stack", desired, observedStack()},
		{"with drift, a missing secret, a rotated token and leftovers", desired, append(
			replaced(replaced(replaced(observedStack(),
				withAttr(obsDMARC(), "ttl", 60)),
				withAttr(obsSMTPUser(), "password", nil)),
				withAttr(obsIdentity(), "dkim_tokens", []any{"rot0", tokens[1], tokens[2]})),
			Observed{Addr: "topic.old", Kind: specs.KindSNSTopic, ID: "arn:old", Owner: stack, Attrs: map[string]any{"name": "acme-prod-old", "arn": "arn:old"}},
			Observed{Addr: "topic.old/queue", Kind: specs.KindSQSQueue, ID: "arn:oldq", Owner: stack, Attrs: map[string]any{"name": "acme-prod-old-feedback", "topic_arn": "arn:old"}},
		)},
		{"with the topic gone", desired, without(observedStack(), "topic.feedback")},
		{"with a renamed topic", topicRenamed, observedStack()},
		{"with the identity replaced", desired, replaced(observedStack(), withAttr(obsIdentity(), "identity", "old.acme.example"))},
		{"to nothing", nil, observedStack()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			observed := tt.observed
			for generation := 1; generation <= 2; generation++ {
				p, diags := Make(tt.desired, observed, Options{Stack: stack, Region: region})
				if diags.HasErrors() {
					t.Fatal(diags)
				}
				if generation == 2 {
					if p.HasChanges() {
						t.Fatalf("a second plan still has changes: %+v", p.Changes)
					}
					return
				}
				observed = applyInMemory(t, p, observed, generation)
			}
		})
	}
}
