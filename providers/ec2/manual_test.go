package ec2

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
)

// TestPTRWhoseARecordIsTheUsers: when the A record is published by the user
// (its domain is in no zone block), a refusal for want of it fails the PTR at
// once, saying what to publish, instead of waiting for a record that apply
// will not write. A record mailform writes is still waited for.
func TestPTRWhoseARecordIsTheUsers(t *testing.T) {
	tests := []struct {
		name       string
		manual     []string
		applied    []string
		wantModify int
		wantErr    []string
	}{
		{
			name: "A record published by the user", manual: []string{"mta.mta1/a"}, wantModify: 1,
			wantErr: []string{
				"AWS sets the PTR record of 203.0.113.7 to mta1.acme.example. only once the A record mta1.acme.example. -> 203.0.113.7 resolves",
				"publish it, then run mailform apply again",
				"InvalidParameterValue",
			},
		},
		{
			name: "A record written by mailform", manual: []string{"mta.other/a"}, applied: []string{"mta.mta1/a"}, wantModify: 7,
			wantErr: []string{"even after 1m0s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := ptrStub(t, 0)
			stub.modifyAttribute = func(*ec2.ModifyAddressAttributeInput) (*ec2.ModifyAddressAttributeOutput, error) {
				return nil, apiError(400, "InvalidParameterValue", "The address 203.0.113.7 does not have a forward DNS record")
			}
			p, _ := stubProvider(stub, Options{PollInterval: 10 * time.Second, ForwardRecordWait: time.Minute})
			var progress []string
			res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Region: testRegion, Manual: tt.manual, Applied: tt.applied,
				Changes:  []plan.Change{ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example.")},
				Progress: func(addr, msg string) { progress = append(progress, msg) }})
			if res[0].Err == nil {
				t.Fatal("want an error")
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(res[0].Err.Error(), want) {
					t.Errorf("error %q lacks %q", res[0].Err, want)
				}
			}
			if got := stub.count("ModifyAddressAttribute"); got != tt.wantModify {
				t.Errorf("ModifyAddressAttribute called %d times, want %d", got, tt.wantModify)
			}
			if tt.wantModify == 1 && len(progress) != 0 {
				t.Errorf("waited for the user's record: %q", progress)
			}
		})
	}
}
