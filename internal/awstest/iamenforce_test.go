package awstest

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

func TestPolicyEvaluation(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":["ssm:Get*","ses:List*"],"Resource":"*"},
	  {"Effect":"Allow","Action":"ssm:PutParameter","Resource":"arn:aws:ssm:us-west-2:123456789012:parameter/app/*"},
	  {"Effect":"Deny","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:*:*:parameter/app/secret?"},
	  {"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:sns:*:*:topic-a"},
	  {"Effect":"Allow","Action":"ses:SendRawEmail","Resource":"*","Condition":{"StringLike":{"ses:FromAddress":["*@acme.example"]}}},
	  {"Effect":"Allow","Action":"sqs:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}},
	  {"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:ResourceTag/x":"y"}}}
	]}`
	p, err := parsePolicy(doc)
	if err != nil {
		t.Fatal(err)
	}
	param := "arn:aws:ssm:us-west-2:123456789012:parameter/"
	tests := []struct {
		action, resource string
		ctx              map[string][]string
		want             decision
	}{
		{"ssm:GetParameter", param + "x", nil, allowed},
		{"SSM:getparameter", param + "x", nil, allowed}, // actions compare without case
		{"ssm:GetParameter", param + "app/secret1", nil, explicitDeny},
		{"ssm:GetParameter", param + "app/secret12", nil, allowed}, // ? is one character
		{"ssm:PutParameter", param + "app/a/b", nil, allowed},      // * crosses "/"
		{"ssm:PutParameter", param + "other", nil, implicitDeny},
		{"ssm:PutParameter", "*", nil, implicitDeny}, // a scoped statement does not cover an action without resource
		{"ssm:DeleteParameter", param + "app/x", nil, implicitDeny},
		{"sns:CreateTopic", "arn:aws:sns:us-west-2:123456789012:topic-a", nil, allowed},
		{"iam:GetUser", "arn:aws:sns:us-west-2:123456789012:topic-a", nil, implicitDeny},
		{"ses:SendRawEmail", "*", map[string][]string{"ses:fromaddress": {"a@acme.example"}}, allowed},
		{"ses:SendRawEmail", "*", map[string][]string{"ses:fromaddress": {"a@evil.example"}}, implicitDeny},
		{"ses:SendRawEmail", "*", nil, implicitDeny},
		{"sqs:CreateQueue", "*", map[string][]string{"aws:requestedregion": {"eu-west-1"}}, allowed},
		{"sqs:CreateQueue", "*", map[string][]string{"aws:requestedregion": {"us-east-1"}}, implicitDeny},
		{"sqs:ListQueues", "*", nil, allowed},
	}
	for _, tt := range tests {
		got := evaluate([]policyDocument{p}, authRequest{action: tt.action, resources: []string{tt.resource}, context: tt.ctx})
		if got != tt.want {
			t.Errorf("%s on %s (%v) = %v, want %v", tt.action, tt.resource, tt.ctx, got, tt.want)
		}
	}
	// A batch is refused when one of its resources is.
	if d := evaluate([]policyDocument{p}, authRequest{action: "ssm:GetParameter", resources: []string{param + "x", param + "app/secret1"}}); d != explicitDeny {
		t.Errorf("batch with a denied resource = %v", d)
	}
}

// TestEnforceIAM signs calls to every service the double serves with an IAM
// user's key and checks the refusals AWS gives, in each protocol's shape;
// the root key stays allowed.
func TestEnforceIAM(t *testing.T) {
	s := Shared(t)
	if err := s.Configure(func(o *Options) { o.EnforceIAM = true }); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	root := s.Config("us-west-2")
	admin := iam.NewFromConfig(root)
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("deployer"), Path: aws.String("/ci/")}); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("deployer")})
	if err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":["ssm:GetParameter"],"Resource":"arn:aws:ssm:us-west-2:123456789012:parameter/app/*"},
	  {"Effect":"Allow","Action":["ses:ListEmailIdentities","sqs:ListQueues"],"Resource":"*"}]}`
	pol, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("deployer"), PolicyDocument: aws.String(policy)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("deployer"), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	user := root.Copy()
	user.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
	userARN := "arn:aws:iam::123456789012:user/ci/deployer"

	// Allowed: the call reaches the service (which finds no parameter).
	_, err = ssm.NewFromConfig(user).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db")})
	requireCode(t, err, "ParameterNotFound", "")
	if _, err := sesv2.NewFromConfig(user).ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{}); err != nil {
		t.Errorf("allowed ListEmailIdentities: %v", err)
	}
	if _, err := sqs.NewFromConfig(user).ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Errorf("allowed ListQueues: %v", err)
	}
	if _, err := sts.NewFromConfig(user).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("GetCallerIdentity needs no permission: %v", err)
	}

	// Refused, each in its service's shape.
	_, err = ssm.NewFromConfig(user).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/other")})
	requireCode(t, err, "AccessDeniedException", "User: "+userARN+" is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-west-2:123456789012:parameter/other because no identity-based policy allows the ssm:GetParameter action")
	_, err = sns.NewFromConfig(user).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")})
	requireCode(t, err, "AuthorizationError", "is not authorized to perform: SNS:CreateTopic on resource: arn:aws:sns:us-west-2:123456789012:t")
	_, err = sesv2.NewFromConfig(user).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
	requireCode(t, err, "AccessDeniedException", "ses:CreateEmailIdentity on resource: arn:aws:ses:us-west-2:123456789012:identity/acme.example")
	_, err = ses.NewFromConfig(user).GetIdentityDkimAttributes(ctx, &ses.GetIdentityDkimAttributesInput{Identities: []string{"a.example", "b.example"}})
	requireCode(t, err, "AccessDenied", "User `"+userARN+"' is not authorized to perform `ses:GetIdentityDkimAttributes' on resource `arn:aws:ses:us-west-2:123456789012:identity/a.example'")
	_, err = ec2.NewFromConfig(user).DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	requireCode(t, err, "UnauthorizedOperation", "You are not authorized to perform this operation. User: "+userARN+" is not authorized to perform: ec2:DescribeAddresses because")
	_, err = route53.NewFromConfig(user).ListHostedZonesByName(ctx, &route53.ListHostedZonesByNameInput{})
	requireCode(t, err, "AccessDenied", "route53:ListHostedZonesByName because no identity-based policy allows")
	_, err = secretsmanager.NewFromConfig(user).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/x")})
	requireCode(t, err, "AccessDeniedException", "secretsmanager:DescribeSecret on resource: arn:aws:secretsmanager:us-west-2:123456789012:secret:app/x-")
	_, err = sqs.NewFromConfig(user).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	requireCode(t, err, "AccessDenied", "Access to the resource https://sqs.us-west-2.amazonaws.com/ is denied.")
	_, err = iam.NewFromConfig(user).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin2")})
	requireCode(t, err, "AccessDenied", "iam:CreateUser on resource: arn:aws:iam::123456789012:user/admin2 because")

	// An explicit deny added later wins at once: IAM changes forget the cache.
	deny := `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"sqs:*","Resource":"*"}}`
	if _, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("deployer"), PolicyName: aws.String("no-sqs"), PolicyDocument: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	_, err = sqs.NewFromConfig(user).ListQueues(ctx, &sqs.ListQueuesInput{})
	requireCode(t, err, "AccessDenied", "")

	if d := s.Denials(); len(d) != 10 || !strings.HasPrefix(d[0], "User: "+userARN+" is not authorized to perform: ssm:GetParameter") {
		t.Errorf("denials = %d %q", len(d), d)
	}

	// The root key is allowed everything.
	if _, err := sns.NewFromConfig(root).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")}); err != nil {
		t.Errorf("root key refused: %v", err)
	}
}

func requireCode(t *testing.T, err error, code, message string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Errorf("want %s, got %v", code, err)
		return
	}
	if api.ErrorCode() != code || !strings.Contains(api.ErrorMessage(), message) {
		t.Errorf("got %s %q, want %s containing %q", api.ErrorCode(), api.ErrorMessage(), code, message)
	}
}
