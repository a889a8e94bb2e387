package ses

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// govCloudSTS answers GetCallerIdentity as STS does in AWS GovCloud (US).
type govCloudSTS struct{}

func (govCloudSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{
		Account: aws.String("111122223333"),
		Arn:     aws.String("arn:aws-us-gov:iam::111122223333:user/deployer"),
		UserId:  aws.String("AIDAEXAMPLE"),
	}, nil
}

// TestARNsFollowSTSPartition: identity and configuration-set ARNs (used to
// tag adopted resources and BYODKIM identities) carry the partition STS
// names, not "aws".
func TestARNsFollowSTSPartition(t *testing.T) {
	p := NewWithClients("us-gov-west-1", nil, nil, govCloudSTS{}, nil, Options{})
	if err := p.ensureAccountID(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := p.identityARN("acme.example"), "arn:aws-us-gov:ses:us-gov-west-1:111122223333:identity/acme.example"; got != want {
		t.Errorf("identity ARN = %s, want %s", got, want)
	}
	if got, want := p.resourceARN("configuration-set/acme-default"), "arn:aws-us-gov:ses:us-gov-west-1:111122223333:configuration-set/acme-default"; got != want {
		t.Errorf("configuration-set ARN = %s, want %s", got, want)
	}
}
