package awscfg

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestCallerOf(t *testing.T) {
	tests := []struct {
		arn, wantPartition string
	}{
		{"arn:aws:iam::123456789012:user/x", "aws"},
		{"arn:aws-us-gov:sts::111122223333:assumed-role/deploy/ci", "aws-us-gov"},
		{"arn:aws-cn:iam::111122223333:root", "aws-cn"},
		{"", "aws"},
	}
	for _, tt := range tests {
		c := CallerOf(&sts.GetCallerIdentityOutput{Arn: aws.String(tt.arn), Account: aws.String("111122223333")})
		if c.Partition != tt.wantPartition || c.Account != "111122223333" {
			t.Errorf("CallerOf(%q) = %+v, want partition %s", tt.arn, c, tt.wantPartition)
		}
	}
}
