package render_test

import (
	"fmt"
	"os"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/render"
	"github.com/mailform/mailform/specs"
)

// The terminal rendering of a plan: a topic declared in the spec, a DMARC record whose TTL drifted, and a queue
// left over from a removed block.
func Example() {
	desired := []specs.Resource{
		{Addr: "topic.feedback", Kind: specs.KindSNSTopic, Attrs: map[string]any{"name": "acme-prod-feedback", "ses_publish": true}},
		{Addr: "domain.acme.example/dmarc", Kind: specs.KindRoute53Record, Attrs: map[string]any{
			"zone": "acme.example.", "name": "_dmarc.acme.example.", "type": "TXT", "ttl": 300,
			"values": []string{`"v=DMARC1; p=reject"`},
		}},
	}
	observed := []plan.Observed{
		{Addr: "domain.acme.example/dmarc", Kind: specs.KindRoute53Record, ID: "Z1/_dmarc.acme.example./TXT", Owner: "acme-prod",
			Attrs: map[string]any{"zone": "acme.example.", "name": "_dmarc.acme.example", "type": "TXT", "ttl": 3600.0,
				"values": []any{`"v=DMARC1; p=reject"`}}},
		{Addr: "topic.old/queue", Kind: specs.KindSQSQueue, ID: "arn:aws:sqs:us-west-2:123456789012:acme-prod-old-feedback", Owner: "acme-prod",
			Attrs: map[string]any{"name": "acme-prod-old-feedback"}},
	}
	p, diags := plan.Make(desired, observed, plan.Options{Stack: "acme-prod", Region: "us-west-2"})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	if err := render.Human(os.Stdout, p, render.HumanOptions{}); err != nil {
		fmt.Println(err)
	}
	waves, _ := plan.Order(p.Changes)
	fmt.Println("waves:", len(waves))
	// Output:
	// mailform will perform these actions for stack acme-prod in us-west-2:
	//
	//   ~ domain.acme.example/dmarc (route53.record)
	//       ~ ttl: 3600 -> 300
	//
	//   + topic.feedback (sns.topic)
	//       + name: "acme-prod-feedback"
	//       + ses_publish: true
	//
	//   - topic.old/queue (sqs.queue)
	//       # no longer in the spec
	//       id: arn:aws:sqs:us-west-2:123456789012:acme-prod-old-feedback
	//
	// Plan: 1 to add, 1 to change, 0 to replace, 1 to destroy.
	// waves: 1
}
