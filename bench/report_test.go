package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/mailform/mailform/internal/golden"
)

func TestTableGolden(t *testing.T) {
	rs := []result{
		{
			Tool: "mailform", Scenario: "s2", Domains: 100, Operation: opPlan, Resources: 804,
			Calls:     map[string]map[string]int{"ses": {"GetEmailIdentity": 101, "ListEmailIdentities": 1}, "route53": {"ListResourceRecordSets": 5}},
			Throttled: map[string]map[string]int{"ses": {"GetEmailIdentity": 1}}, ThrottledTotal: 1,
			CallsTotal: 107, Minimum: []floorLine{{"ses", "GetEmailIdentity", 100, "tags"}, {"ses", "ListEmailIdentities", 1, "list"}, {"route53", "ListResourceRecordSets", 5, "pages"}},
			MinimumTotal: 106, CallsRatio: 107.0 / 106, FloorSeconds: 5.05, WallSeconds: 5.5, WallRatio: 5.5 / 5.05, AWSSeconds: 101,
			PeakRSSMB: 41, CPUSeconds: 0.61, CPUPerResourceMs: 0.76,
		},
		{
			Tool: "terraform", Scenario: "s2", Domains: 100, Operation: opPlan, Resources: 1007,
			CallsTotal: 2400, WallSeconds: 300.25, AWSSeconds: 1439, PeakRSSMB: 600, CPUSeconds: 40, CPUPerResourceMs: 39.72, ThrottledTotal: 120,
		},
		{Tool: "mailform", Scenario: "s1", Domains: 10, Operation: opApply, Error: "exited 1", ExitCode: 1},
	}
	var got bytes.Buffer
	writeTable(&got, rs)
	golden.Check(t, filepath.Join("testdata", "table.golden"), got.Bytes())
}

func TestExcess(t *testing.T) {
	r := result{
		Calls:   map[string]map[string]int{"ses": {"GetEmailIdentity": 12, "ListEmailIdentities": 1}, "sts": {"GetCallerIdentity": 2}},
		Minimum: []floorLine{{"ses", "GetEmailIdentity", 10, ""}, {"ses", "ListEmailIdentities", 1, ""}, {"sts", "GetCallerIdentity", 1, ""}},
	}
	got := excess(r)
	if len(got) != 2 || !bytes.Contains([]byte(got[0]), []byte("ses:GetEmailIdentity")) || !bytes.Contains([]byte(got[1]), []byte("sts:GetCallerIdentity")) {
		t.Errorf("excess = %q, want GetEmailIdentity (2 over) before GetCallerIdentity (1 over)", got)
	}
}

func TestMeasurePricesCallsAtAWSLimits(t *testing.T) {
	r := result{Calls: map[string]map[string]int{
		"ses":     {"GetEmailIdentity": 40, "ListEmailIdentities": 6},
		"route53": {"ListResourceRecordSets": 105},
		"sns":     {"ListTopics": 1000},
	}}
	r.measure(childRun{})
	// SES: 46 calls at 1/s after a burst of 1; Route 53: 105 at 5/s after 5.
	if r.AWSSeconds != 45 {
		t.Errorf("AWSSeconds = %v, want 45 (SES sets it)", r.AWSSeconds)
	}
}

// TestResultsPath: -results /tmp/x writes to /tmp/x, not to tmp/x in the
// module; a relative folder is under the module root.
func TestResultsPath(t *testing.T) {
	root := filepath.Join(t.TempDir(), "mailform")
	abs := filepath.Join(t.TempDir(), "results")
	if got := resultsPath(root, abs); got != abs {
		t.Errorf("resultsPath(%s, %s) = %s, want it as given", root, abs, got)
	}
	if got, want := resultsPath(root, "bench/results"), filepath.Join(root, "bench", "results"); got != want {
		t.Errorf("resultsPath(%s, bench/results) = %s, want %s", root, got, want)
	}
}
