package ses

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/mailform/mailform/internal/golden"
)

// The structured explanation Wait returns is what `apply -wait` and `check`
// show and compare with DNS: its JSON form is kept as a golden file.
func TestWaitResultsGolden(t *testing.T) {
	p := NewWithClients("eu-west-1", nil, nil, nil, nil, Options{AccountID: "123456789012"})
	states := []*identityProgress{
		{name: "easy.example", domain: true, dkimKnown: true, dkimEnabled: true, dkimStatus: "PENDING",
			dkimTokens: []string{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccccccccc"},
			dkimOrigin: "AWS_SES", mailFromKnown: true, mailFrom: "bounce.easy.example", mailFromStatus: "TEMPORARY_FAILURE"},
		{name: "byo.example", domain: true, dkimKnown: true, dkimEnabled: true, dkimStatus: "PENDING",
			dkimTokens: []string{"mf2026"}, mailFromKnown: true},
		{name: "gaveup.example", domain: true, dkimKnown: true, dkimEnabled: true, dkimStatus: "SUCCESS",
			mailFromKnown: true, mailFrom: "mail.gaveup.example", mailFromStatus: "FAILED"},
		{name: "unsigned.example", domain: true, dkimKnown: true, dkimEnabled: false, verification: "NOT_STARTED", mailFromKnown: true,
			dkimTokens: []string{"dddddddddddddddddddddddddddddddd", "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "ffffffffffffffffffffffffffffffff"}},
		{name: "failed.example", domain: true, dkimKnown: true, dkimEnabled: true, dkimStatus: "FAILED", dkimOrigin: "AWS_SES",
			dkimTokens: []string{"gggggggggggggggggggggggggggggggg", "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh", "iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii"}, mailFromKnown: true},
		{name: "ops@partner.example", verification: "PENDING", mailFromKnown: true},
		{name: "gone.example", domain: true, missing: true},
		{name: "done.example", domain: true, dkimKnown: true, dkimEnabled: true, dkimStatus: "SUCCESS", mailFromKnown: true},
	}
	got, err := json.MarshalIndent(p.waitResults(states), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden.Check(t, filepath.Join("testdata", "wait_results.json"), got)
}
