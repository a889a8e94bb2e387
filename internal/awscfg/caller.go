package awscfg

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Caller is what STS GetCallerIdentity says of the credentials: the account
// and the partition ("aws", "aws-us-gov", "aws-cn") every ARN mailform
// builds must use.
type Caller struct {
	Account   string
	Partition string
	ARN       string
}

// CallerOf reads a GetCallerIdentity answer. The partition is the second
// field of the caller's ARN ("arn:aws-us-gov:iam::111122223333:user/x");
// "aws" only when the ARN has none.
func CallerOf(out *sts.GetCallerIdentityOutput) Caller {
	c := Caller{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), Partition: "aws"}
	if parts := strings.SplitN(c.ARN, ":", 3); len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
		c.Partition = parts[1]
	}
	return c
}
