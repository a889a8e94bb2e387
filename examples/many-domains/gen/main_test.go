package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mailform/mailform/specs"
)

// TestCommittedFileIsCurrent fails when domains.hcl was edited by hand or the
// generator changed without regenerating it (go generate ./examples/many-domains).
func TestCommittedFileIsCurrent(t *testing.T) {
	want, err := generate(120, "one-zone")
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
		layout    string
		n         int
		wantZones int
	}{
		{"one-zone", 120, 1},
		{"zone-per-domain", 120, 120},
		{"one-zone", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.layout, func(t *testing.T) {
			src, err := generate(tt.n, tt.layout)
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
			for _, r := range spec.Resources() {
				if r.Kind == specs.KindManualDNSRecord {
					t.Errorf("%s is not in a zone", r.Addr)
				}
			}
		})
	}
}

func TestBadFlags(t *testing.T) {
	for _, tt := range []struct {
		n      int
		layout string
	}{{0, "one-zone"}, {10001, "one-zone"}, {5, "zones"}} {
		if _, err := generate(tt.n, tt.layout); err == nil {
			t.Errorf("generate(%d, %q): want an error", tt.n, tt.layout)
		}
	}
}
