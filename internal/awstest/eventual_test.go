package awstest

import (
	"errors"
	"net/smtp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// configureDelays switches the shared double to the given delays (scale 1)
// for the rest of the test; Shared's next Reset restores the start options.
func configureDelays(t *testing.T, s *Server, d Delays) {
	t.Helper()
	if err := s.Configure(func(o *Options) { o.Delays = d; o.TimeScale = 1 }); err != nil {
		t.Fatal(err)
	}
}

// eventually retries f every 50ms until it succeeds or the deadline passes.
func eventually(t *testing.T, within time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still failing after %v: %v", within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestNewAccessKeyRefusedForDelay: a key made by CreateAccessKey is unknown
// to SigV4 (query and JSON protocols) and to SMTP AUTH for AccessKeyDelay,
// then accepted; the tests' own dummy key is never refused.
func TestNewAccessKeyRefusedForDelay(t *testing.T) {
	s := Shared(t)
	keyID, secret := smtpFixture(t, s, sendPolicy)
	configureDelays(t, s, Delays{AccessKeyDelay: 1500 * time.Millisecond})
	// A second key, made with the delay on.
	c := iam.NewFromConfig(s.Config("us-east-1"))
	if _, err := c.DeleteAccessKey(t.Context(), &iam.DeleteAccessKeyInput{UserName: aws.String("mailer"), AccessKeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	key, err := c.CreateAccessKey(t.Context(), &iam.CreateAccessKeyInput{UserName: aws.String("mailer")})
	if err != nil {
		t.Fatal(err)
	}
	keyID, secret = aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
	signed := s.Config("us-west-2")
	signed.Credentials = credentials.NewStaticCredentialsProvider(keyID, secret, "")
	signed.RetryMaxAttempts = 1

	_, err = sts.NewFromConfig(signed).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if code := errorCode(err); code != "InvalidClientTokenId" {
		t.Errorf("STS with a new key: %v, want InvalidClientTokenId", err)
	}
	_, err = sqs.NewFromConfig(signed).ListQueues(t.Context(), &sqs.ListQueuesInput{})
	if code := errorCode(err); code != "UnrecognizedClientException" {
		t.Errorf("SQS (JSON) with a new key: %v, want UnrecognizedClientException", err)
	}
	_, err = ec2.NewFromConfig(signed).DescribeAddresses(t.Context(), &ec2.DescribeAddressesInput{})
	if code := errorCode(err); code != "AuthFailure" {
		t.Errorf("EC2 with a new key: %v, want AuthFailure", err)
	}
	cl := dialSMTP(t, s)
	if err := cl.Auth(smtp.PlainAuth("", keyID, smtpPassword(secret, fixtureRegion), "127.0.0.1")); smtpCode(err) != 535 {
		t.Errorf("SMTP AUTH with a new key: %v, want 535", err)
	}
	// The dummy key of the tests is not one IAM made: always accepted.
	if _, err := sts.NewFromConfig(s.Config("us-west-2")).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("STS with the dummy key: %v", err)
	}

	eventually(t, 5*time.Second, func() error {
		_, err := sts.NewFromConfig(signed).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
		return err
	})
	cl = dialSMTP(t, s)
	if err := cl.Auth(smtp.PlainAuth("", keyID, smtpPassword(secret, fixtureRegion), "127.0.0.1")); err != nil {
		t.Errorf("SMTP AUTH after the delay: %v", err)
	}
}

// TestSMTPAcceptsOnlyItsRegionsPassword: the password derived for another
// region is refused, as by AWS's regional endpoints.
func TestSMTPAcceptsOnlyItsRegionsPassword(t *testing.T) {
	s := Shared(t)
	keyID, secret := smtpFixture(t, s, sendPolicy)
	for _, tc := range []struct {
		endpoint, derivedFor string
		want                 int
	}{
		{"eu-west-1", "eu-west-1", 0},
		{"eu-west-1", "us-west-2", 535},
		{"us-west-2", "eu-west-1", 535},
		{"us-west-2", "us-west-2", 0},
	} {
		c := dialSMTPIn(t, s, tc.endpoint)
		err := c.Auth(smtp.PlainAuth("", keyID, smtpPassword(secret, tc.derivedFor), "127.0.0.1"))
		if smtpCode(err) != tc.want && !(tc.want == 0 && err == nil) {
			t.Errorf("endpoint %s, password for %s: %v, want %d", tc.endpoint, tc.derivedFor, err, tc.want)
		}
	}
	if s.SMTPRegion() != DefaultSMTPRegion || s.SMTPAddr() != smtpAddr(t, s, DefaultSMTPRegion) {
		t.Errorf("SMTPAddr is not the %s interface", DefaultSMTPRegion)
	}
	if _, err := s.SMTPAddrFor("xx-nowhere-1"); err == nil {
		t.Errorf("an SMTP interface for a region without SES")
	}
}

// TestForceDeletedSecretNameHeld: CreateSecret of a name force-deleted
// within SecretNameHold answers InvalidRequestException, then succeeds.
func TestForceDeletedSecretNameHeld(t *testing.T) {
	s := Shared(t)
	configureDelays(t, s, Delays{SecretNameHold: time.Second})
	c := secretsmanager.NewFromConfig(s.Config("us-west-2"))
	create := func() error {
		_, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("app/smtp"), SecretString: aws.String("x")})
		return err
	}
	if err := create(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("app/smtp"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	err := create()
	var invalid *smtypes.InvalidRequestException
	if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "already scheduled for deletion") {
		t.Fatalf("CreateSecret right after the force delete: %v, want InvalidRequestException", err)
	}
	// Another region's name is another name.
	other := secretsmanager.NewFromConfig(s.Config("eu-west-1"))
	if _, err := other.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("app/smtp"), SecretString: aws.String("x")}); err != nil {
		t.Errorf("the same name in another region: %v", err)
	}
	eventually(t, 5*time.Second, create)

	// A name in its recovery window is refused the same way, whatever the
	// delays (moto would answer ResourceExistsException).
	configureDelays(t, s, Delays{})
	if _, err := c.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("app/smtp"), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatal(err)
	}
	if err := create(); !errors.As(err, &invalid) {
		t.Errorf("CreateSecret of a name in its recovery window: %v, want InvalidRequestException", err)
	}
}

// TestNewQueueDoesNotExistForDelay: calls that use a queue answer
// QueueDoesNotExist for QueueDelay after CreateQueue, in both protocols.
func TestNewQueueDoesNotExistForDelay(t *testing.T) {
	s := Shared(t)
	configureDelays(t, s, Delays{QueueDelay: time.Second})
	c := sqs.NewFromConfig(s.Config("us-west-2"), func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
	out, err := c.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String("fresh")})
	if err != nil {
		t.Fatal(err)
	}
	var missing *sqstypes.QueueDoesNotExist
	_, err = c.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if !errors.As(err, &missing) {
		t.Errorf("GetQueueAttributes of a new queue: %v, want QueueDoesNotExist", err)
	}
	_, err = c.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("fresh")})
	if !errors.As(err, &missing) {
		t.Errorf("GetQueueUrl of a new queue: %v, want QueueDoesNotExist", err)
	}
	_, err = c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String("hi")})
	if !errors.As(err, &missing) {
		t.Errorf("SendMessage to a new queue: %v, want QueueDoesNotExist", err)
	}
	// The query protocol's form.
	rec := &bufferedResponse{}
	writeQueueDoesNotExist(rec, call{service: "sqs"})
	if !strings.Contains(rec.body.String(), "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>") || rec.status != 400 {
		t.Errorf("query form: %d %s", rec.status, rec.body.String())
	}
	eventually(t, 5*time.Second, func() error {
		_, err := c.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl})
		return err
	})
}

// TestListsLagBehindCreation: ListTopics, ListQueues, ListSecrets,
// DescribeAddresses by filter, ListUsers and GetAccountAuthorizationDetails
// omit what was created within ListLag; lookups by name or ID find it.
func TestListsLagBehindCreation(t *testing.T) {
	s := Shared(t)
	ctx := t.Context()
	cfg := s.Config("us-west-2")
	snsc, sqsc, smc, ec2c, iamc := sns.NewFromConfig(cfg), sqs.NewFromConfig(cfg), secretsmanager.NewFromConfig(cfg), ec2.NewFromConfig(cfg), iam.NewFromConfig(cfg)
	// Resources made before the lag is on, listed throughout.
	mustDo(t, func() error {
		_, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("old")})
		return err
	})
	mustDo(t, func() error {
		_, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("old")})
		return err
	})
	configureDelays(t, s, Delays{ListLag: 1500 * time.Millisecond})

	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("new")})
	if err != nil {
		t.Fatal(err)
	}
	queue, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("new")})
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, func() error {
		_, err := smc.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("new"), SecretString: aws.String("x"),
			Tags: []smtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		return err
	})
	addr, err := ec2c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeElasticIp, Tags: []ec2types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, func() error {
		_, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("new")})
		return err
	})

	type listing struct {
		name string
		list func() ([]string, error)
		want string
	}
	listings := []listing{
		{"ListTopics", func() ([]string, error) {
			out, err := snsc.ListTopics(ctx, &sns.ListTopicsInput{})
			var arns []string
			if err == nil {
				for _, tp := range out.Topics {
					arns = append(arns, aws.ToString(tp.TopicArn))
				}
			}
			return arns, err
		}, aws.ToString(topic.TopicArn)},
		{"ListQueues", func() ([]string, error) {
			out, err := sqsc.ListQueues(ctx, &sqs.ListQueuesInput{})
			if err != nil {
				return nil, err
			}
			return out.QueueUrls, nil
		}, aws.ToString(queue.QueueUrl)},
		{"ListSecrets", func() ([]string, error) {
			out, err := smc.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []smtypes.Filter{{Key: smtypes.FilterNameStringTypeTagKey, Values: []string{"k"}}}})
			var names []string
			if err == nil {
				for _, e := range out.SecretList {
					names = append(names, aws.ToString(e.Name))
				}
			}
			return names, err
		}, "new"},
		{"DescribeAddresses by tag", func() ([]string, error) {
			out, err := ec2c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:k"), Values: []string{"v"}}}})
			var ids []string
			if err == nil {
				for _, a := range out.Addresses {
					ids = append(ids, aws.ToString(a.AllocationId))
				}
			}
			return ids, err
		}, aws.ToString(addr.AllocationId)},
		{"ListUsers", func() ([]string, error) {
			out, err := iamc.ListUsers(ctx, &iam.ListUsersInput{})
			var names []string
			if err == nil {
				for _, u := range out.Users {
					names = append(names, aws.ToString(u.UserName))
				}
			}
			return names, err
		}, "new"},
		{"GetAccountAuthorizationDetails", func() ([]string, error) {
			out, err := iamc.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
			var names []string
			if err == nil {
				for _, u := range out.UserDetailList {
					names = append(names, aws.ToString(u.UserName))
				}
			}
			return names, err
		}, "new"},
	}
	for _, l := range listings {
		got, err := l.list()
		if err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		if slices.Contains(got, l.want) {
			t.Errorf("%s right after creation lists %s: %v", l.name, l.want, got)
		}
	}
	// Lookups by name or ID are not lists.
	if _, err := iamc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("new")}); err != nil {
		t.Errorf("GetUser of the new user: %v", err)
	}
	if out, err := ec2c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{aws.ToString(addr.AllocationId)}}); err != nil || len(out.Addresses) != 1 {
		t.Errorf("DescribeAddresses by ID: %v", err)
	}
	time.Sleep(1600 * time.Millisecond)
	for _, l := range listings {
		got, err := l.list()
		if err != nil || !slices.Contains(got, l.want) {
			t.Errorf("%s after the lag: %v %v, want %s listed", l.name, got, err, l.want)
		}
	}
	if out, err := iamc.ListUsers(ctx, &iam.ListUsersInput{}); err != nil || len(out.Users) != 2 {
		t.Errorf("ListUsers after the lag: %v, want old and new", err)
	}
}

func mustDo(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}
