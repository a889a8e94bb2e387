package acceptance

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mailform/mailform/plan/planfile"
	"github.com/mailform/mailform/specs"
	"github.com/mailform/mailform/specs/kinds"
)

// TestObservedStateMatchesSchemas applies every example against the double
// and checks what the providers then observe against the kinds' schemas
// (specs/kinds): a provider that reports an attribute its kind does not
// declare, or a value of another type, fails here. A destroy plan holds
// every resource of the stack with its observed attributes (Before).
func TestObservedStateMatchesSchemas(t *testing.T) {
	examples := []struct {
		name, region string
		zones        []string
		edit         []string
	}{
		{name: "ses-domain", region: "us-west-2", zones: []string{"acme.example"}},
		{name: "ec2-mta", region: "eu-west-1", zones: []string{"northwind.example"},
			// the double has no instance to associate the address with
			edit: []string{`instance_id = "i-0abc1234def567890" # associate the Elastic IP with the running server`, ""}},
		{name: "hybrid", region: "us-east-1", zones: []string{"globex.example"}},
		{name: "reputation-alarms", region: "us-west-2"},
	}
	observed := map[specs.Kind]bool{}
	ran := 0
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			e := newEnv(t, ex.name, ex.zones...) // skips without the double
			ran++
			e.region = ex.region
			if len(ex.edit) > 0 {
				e.edit("main.hcl", ex.edit...)
			}
			e.must(0, "apply", e.dir, "-auto-approve")
			file := filepath.Join(t.TempDir(), "destroy.plan")
			e.must(0, "plan", e.dir, "-destroy", "-out", file)
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			p, err := planfile.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Changes) == 0 {
				t.Fatal("the destroy plan is empty; the test proves nothing")
			}
			for _, c := range p.Changes {
				observed[c.Kind] = true
				if err := kinds.Check(c.Kind, c.Before); err != nil {
					t.Errorf("%s: %v", c.Addr, err)
				}
			}
		})
	}
	if ran < len(examples) || t.Failed() {
		return
	}
	// The account's settings are never deleted and manual records never
	// read from AWS; every other kind must have been seen.
	for _, s := range kinds.All() {
		if s.Kind != specs.KindSESAccount && s.Kind != specs.KindManualDNSRecord && !observed[s.Kind] {
			t.Errorf("no example left a %s to observe", s.Kind)
		}
	}
}
