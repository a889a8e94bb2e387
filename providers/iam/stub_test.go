package iam

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/mailform/mailform/internal/secrets"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// pagedAPI serves GetAccountAuthorizationDetails in two pages, as IAM does
// past 1000 users (moto never paginates it), and no access keys.
type pagedAPI struct {
	API
	requests []iamsdk.GetAccountAuthorizationDetailsInput
}

func (a *pagedAPI) GetAccountAuthorizationDetails(_ context.Context, in *iamsdk.GetAccountAuthorizationDetailsInput, _ ...func(*iamsdk.Options)) (*iamsdk.GetAccountAuthorizationDetailsOutput, error) {
	a.requests = append(a.requests, *in)
	mark := []iamtypes.Tag{{Key: aws.String(specs.TagStack), Value: aws.String("acme")}}
	if in.Marker == nil {
		return &iamsdk.GetAccountAuthorizationDetailsOutput{
			UserDetailList: []iamtypes.UserDetail{{UserName: aws.String("a"), Path: aws.String("/"), Tags: mark}, {UserName: aws.String("foreign"), Path: aws.String("/")}},
			IsTruncated:    true, Marker: aws.String("page2"),
		}, nil
	}
	return &iamsdk.GetAccountAuthorizationDetailsOutput{
		UserDetailList: []iamtypes.UserDetail{{UserName: aws.String("b"), Path: aws.String("/"), Tags: mark}},
	}, nil
}

func (a *pagedAPI) ListAccessKeys(context.Context, *iamsdk.ListAccessKeysInput, ...func(*iamsdk.Options)) (*iamsdk.ListAccessKeysOutput, error) {
	return &iamsdk.ListAccessKeysOutput{}, nil
}

func TestReadFollowsPages(t *testing.T) {
	api := &pagedAPI{}
	p := NewWithAPI(api, secrets.NewRouter(nil, nil, t.TempDir()))
	obs, err := p.Read(t.Context(), "acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range obs {
		names = append(names, o.ID)
	}
	if len(names) != 2 || names[0] != "a" || names[1] != "b" {
		t.Errorf("observed %v, want the stack's users a and b from both pages", names)
	}
	if len(api.requests) != 2 {
		t.Fatalf("%d requests", len(api.requests))
	}
	for _, r := range api.requests {
		if aws.ToInt32(r.MaxItems) != 1000 || len(r.Filter) != 1 || r.Filter[0] != iamtypes.EntityTypeUser {
			t.Errorf("request %+v: want MaxItems 1000 and Filter [User]", r)
		}
	}
}

func TestRotationRequested(t *testing.T) {
	tests := []struct {
		name string
		c    plan.Change
		want bool
	}{
		{"update", plan.Change{Action: plan.Update}, false},
		{"update with a requested replacement", plan.Change{Action: plan.Update, Causes: []plan.Cause{plan.CauseRequested}}, true},
		{"update whose words say replace requested", plan.Change{Action: plan.Update, Reason: "replace requested with -replace"}, false},
		{"requested, reworded", plan.Change{Action: plan.Update, Reason: "new key, please", Causes: []plan.Cause{plan.CauseAdopt, plan.CauseRequested}}, true},
		{"replace without diffs", plan.Change{Action: plan.Replace}, true},
		{"replace for the path only", plan.Change{Action: plan.Replace, Diffs: []plan.AttrDiff{{Name: "path", Replaces: true}}}, false},
		{"replace for the user name", plan.Change{Action: plan.Replace, Diffs: []plan.AttrDiff{{Name: "user_name", Replaces: true}}}, false},
		{"replace for the path, requested too", plan.Change{Action: plan.Replace, Causes: []plan.Cause{plan.CauseRequested, plan.CauseImmutable}, Diffs: []plan.AttrDiff{{Name: "path", Replaces: true}}}, true},
		{"replace for another attribute", plan.Change{Action: plan.Replace, Diffs: []plan.AttrDiff{{Name: "path", Replaces: true}, {Name: "credentials", Replaces: true}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rotationRequested(tt.c); got != tt.want {
				t.Errorf("rotationRequested = %v, want %v", got, tt.want)
			}
		})
	}
}
