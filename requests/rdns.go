package requests

import (
	"fmt"
	"strings"

	"github.com/mailform/mailform/specs"
)

var errNoMTAs = &MissingInputError{
	What:   "mta block",
	Needed: "reverse DNS is asked for the Elastic IPs of mta blocks, and the spec declares none",
	Example: `  mta "mx1" {
    hostname    = "mx1.example.com"
    reverse_dns = true
  }`,
}

// ReverseDNS builds the reverse-DNS part of the EC2 form alone, for
// accounts or regions where the API cannot set it: the addresses still to
// ask for, each with its forward A record (AWS checks it first), and a
// statement of the addresses whose PTR the API already set or is setting
// (ModifyAddressAttribute). The contact fields are included when the spec
// has a requests block. It fails only when the spec has no mta block.
func ReverseDNS(spec *specs.Spec, facts Facts) (*Document, error) {
	if err := CheckSpec(KindReverseDNS, spec); err != nil {
		return nil, err
	}
	w := newWorld(spec, facts)
	mtas := w.mtas()
	doc := &Document{
		Title: "Reverse DNS for the Elastic IPs of stack " + spec.Stack + " (Amazon EC2)",
		Intro: []string{
			"mailform sets reverse DNS through the EC2 API (ModifyAddressAttribute) for mta blocks with reverse_dns = true, once the A record resolves. Where the API cannot (GovCloud, some accounts), or for blocks with reverse_dns = false, ask AWS with the form instead.",
			fmt.Sprintf("Open %s signed in to the AWS account, choose the region %s, and list the addresses below under reverse DNS.", FormURL, w.region),
		},
	}
	if r := spec.Requests; r != nil {
		doc.Sections = append(doc.Sections, Section{Heading: "Form fields", Fields: []Field{
			{Label: "Email address", Value: r.ContactEmail},
			{Label: "Region", Value: w.region},
			{Label: "Use case description", Value: strings.TrimSpace(r.UseCase), Block: true},
		}})
	}

	var handled, inProgress, toAsk, unallocated []mtaFacts
	for _, f := range mtas {
		switch {
		case f.ip == "":
			unallocated = append(unallocated, f)
		case f.ptrName == f.hostname && (f.ptrState == "" || f.ptrState == "SET"):
			handled = append(handled, f)
		case f.ptrName == f.hostname && f.ptrState == "PENDING":
			inProgress = append(inProgress, f)
		default:
			toAsk = append(toAsk, f)
		}
	}

	ask := Section{Heading: "Addresses to ask AWS for"}
	if len(toAsk) == 0 {
		ask.Text = []string{"None: every allocated address has its reverse DNS set, or being set, through the API."}
	} else {
		ask.Text = []string{"Ask for these PTR records. AWS sets one only when the A record of the name already resolves to the address."}
		t := &Table{Header: []string{"Elastic IP", "Reverse DNS name", "PTR now", "MTA"}}
		for _, f := range toAsk {
			t.Rows = append(t.Rows, []string{f.ip, strings.TrimSuffix(f.hostname, "."), f.ptrNow(), f.addr})
			ask.Items = append(ask.Items, w.aRecordItem(f))
		}
		ask.Table = t
	}
	doc.Sections = append(doc.Sections, ask)

	api := Section{Heading: "Already handled through the API"}
	if len(handled)+len(inProgress) == 0 {
		api.Text = []string{"None: the API has set no PTR record for these addresses yet."}
	} else {
		api.Text = []string{"mailform set these through ModifyAddressAttribute; do not ask for them again."}
		t := &Table{Header: []string{"Elastic IP", "Reverse DNS name", "Status", "MTA"}}
		for _, f := range handled {
			t.Rows = append(t.Rows, []string{f.ip, strings.TrimSuffix(f.hostname, "."), "set", f.addr})
		}
		for _, f := range inProgress {
			t.Rows = append(t.Rows, []string{f.ip, strings.TrimSuffix(f.hostname, "."), "pending (AWS is setting it)", f.addr})
		}
		api.Table = t
	}
	doc.Sections = append(doc.Sections, api)

	if len(unallocated) > 0 {
		var names []string
		for _, f := range unallocated {
			names = append(names, f.addr)
		}
		doc.Sections = append(doc.Sections, Section{Heading: "Not allocated yet", Text: []string{
			"These MTAs have no Elastic IP yet, so there is nothing to ask for: " + strings.Join(names, ", ") + ". Run mailform apply, then generate this text again.",
		}})
	}
	return doc, nil
}
