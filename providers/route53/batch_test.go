package route53

import (
	"fmt"
	"github.com/google/go-cmp/cmp"
	"github.com/mailform/mailform/specs"
	"strings"
	"testing"
)

func unitOf(records, chars int) *unit {
	return &unit{records: records, chars: chars}
}

func TestBatches(t *testing.T) {
	tests := []struct {
		name     string
		units    []*unit
		want     []int // units per batch
		tooLarge int
	}{
		{name: "one small batch", units: []*unit{unitOf(2, 80), unitOf(2, 80)}, want: []int{2}},
		{name: "record limit", units: repeat(600, 2, 10), want: []int{500, 100}},
		{name: "character limit", units: repeat(600, 2, 100), want: []int{320, 280}},
		{name: "exactly full", units: repeat(500, 2, 64), want: []int{500}},
		{name: "a unit larger than any batch", units: []*unit{unitOf(2, 10), unitOf(1001, 10), unitOf(2, 10)}, want: []int{2}, tooLarge: 1},
		{name: "nothing", units: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tooLarge := batches(tt.units)
			var sizes []int
			for _, b := range got {
				sizes = append(sizes, len(b))
				records, chars := 0, 0
				for _, u := range b {
					records += u.records
					chars += u.chars
				}
				if records > MaxBatchRecords || chars > MaxBatchValueChars {
					t.Errorf("batch of %d records, %d characters is over the limits", records, chars)
				}
			}
			if fmt.Sprint(sizes) != fmt.Sprint(tt.want) || len(tooLarge) != tt.tooLarge {
				t.Errorf("batches %v (too large %d), want %v (%d)", sizes, len(tooLarge), tt.want, tt.tooLarge)
			}
		})
	}
}

func repeat(n, records, chars int) []*unit {
	out := make([]*unit, n)
	for i := range out {
		out[i] = unitOf(records, chars)
	}
	return out
}

func TestParseRecord(t *testing.T) {
	tests := []struct {
		name    string
		attrs   map[string]any
		want    record
		wantErr string
	}{
		{
			name:  "int ttl and []any values, sorted",
			attrs: map[string]any{"zone": "Acme.Example", "name": "MTA1.acme.example", "type": "a", "ttl": 300, "values": []any{"192.0.2.2", "192.0.2.1"}},
			want:  record{Addr: "a", Zone: ZoneRef{Name: "acme.example."}, Name: "mta1.acme.example.", Type: "A", TTL: 300, Values: []string{"192.0.2.1", "192.0.2.2"}},
		},
		{
			name:  "pinned zone and shared",
			attrs: map[string]any{"zone": "acme.example.", "zone_id": "/hostedzone/Z1", "name": "acme.example.", "type": "TXT", "ttl": int64(300), "values": []string{`"v=spf1 ~all"`}, "shared": true},
			want:  record{Addr: "a", Zone: ZoneRef{Name: "acme.example.", ID: "Z1"}, Name: "acme.example.", Type: "TXT", TTL: 300, Values: []string{`"v=spf1 ~all"`}, Shared: true},
		},
		{
			name:  "deferred name",
			attrs: map[string]any{"zone": "acme.example.", "name": specsDeferred("${domain.acme.example#dkim_tokens[0]}._domainkey.acme.example."), "type": "CNAME", "ttl": int64(1800), "values": []any{specsDeferred("x")}},
			want:  record{Addr: "a", Zone: ZoneRef{Name: "acme.example."}, Type: "CNAME", TTL: 1800, Values: []string{}, Unknown: "name"},
		},
		{name: "no zone", attrs: map[string]any{"name": "a.", "type": "A", "ttl": 1, "values": []any{"x"}}, wantErr: "neither zone nor zone_id"},
		{name: "no ttl", attrs: map[string]any{"zone": "a.", "name": "a.", "type": "A", "values": []any{"x"}}, wantErr: `"ttl" is missing`},
		{name: "bad value", attrs: map[string]any{"zone": "a.", "name": "a.", "type": "A", "ttl": 1, "values": []any{1}}, wantErr: "values[0] is a int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseRecord("a", tt.attrs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Values == nil {
				r.Values = []string{}
			}
			if diff := cmp.Diff(tt.want, r); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
		})
	}
}

func specsDeferred(s string) any { return specs.Deferred(s) }
