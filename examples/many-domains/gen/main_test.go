package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailform/mailform/specs"
)

// TestCommittedFileIsCurrent fails when domains.hcl was edited by hand or the
// generator changed without regenerating it (go generate ./examples/many-domains).
func TestCommittedFileIsCurrent(t *testing.T) {
	want, err := generate(120, "one-zone", false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "domains.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("examples/many-domains/domains.hcl is stale: run go generate ./examples/many-domains")
	}
}

// TestLayoutsLoad generates each layout beside the example's main.hcl and
// loads it without diagnostics.
func TestLayoutsLoad(t *testing.T) {
	main, err := os.ReadFile(filepath.Join("..", "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		layout        string
		n             int
		notifications bool
		wantZones     int
	}{
		{"one-zone", 120, false, 1},
		{"zone-per-domain", 120, false, 120},
		{"one-zone", 1, false, 1},
		{"zone-per-domain", 3, true, 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/n=%d/notifications=%v", tt.layout, tt.n, tt.notifications), func(t *testing.T) {
			src, err := generate(tt.n, tt.layout, tt.notifications)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			for name, data := range map[string][]byte{"main.hcl": main, "domains.hcl": src} {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			spec, diags := specs.Load(dir, specs.LoadOptions{})
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %v", diags)
			}
			if len(spec.Domains) != tt.n || len(spec.Zones) != tt.wantZones {
				t.Errorf("got %d domains and %d zones, want %d and %d", len(spec.Domains), len(spec.Zones), tt.n, tt.wantZones)
			}
			withTopics := 0
			for _, r := range spec.Resources() {
				if r.Kind == specs.KindManualDNSRecord {
					t.Errorf("%s is not in a zone", r.Addr)
				}
				if r.Kind == specs.KindSESIdentity && r.Attrs["bounce_topic"] != nil && r.Attrs["complaint_topic"] != nil {
					withTopics++
				}
			}
			if want := map[bool]int{true: tt.n}[tt.notifications]; withTopics != want {
				t.Errorf("%d identities send bounces and complaints to a topic, want %d", withTopics, want)
			}
		})
	}
}

func TestBadFlags(t *testing.T) {
	for _, tt := range []struct {
		n      int
		layout string
	}{{0, "one-zone"}, {10001, "one-zone"}, {5, "zones"}} {
		if _, err := generate(tt.n, tt.layout, false); err == nil {
			t.Errorf("generate(%d, %q): want an error", tt.n, tt.layout)
		}
	}
}
