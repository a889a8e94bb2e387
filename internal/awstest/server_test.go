package awstest

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

func TestMain(m *testing.M) { Main(m) }

func TestForwardsToMotoAndCountsCalls(t *testing.T) {
	s := Shared(t)
	ctx := t.Context()
	cfg := s.Config("us-west-2")

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(id.Account); got != AccountID {
		t.Errorf("account = %q, want %q", got, AccountID)
	}

	r53 := route53.NewFromConfig(cfg)
	zone, err := r53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("acme.example"), CallerReference: aws.String("t1")})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := r53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: zone.HostedZone.Id}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(q.QueueUrl) == "" {
		t.Error("no queue URL")
	}

	want := map[string]map[string]int{
		"sts":     {"GetCallerIdentity": 1},
		"route53": {"CreateHostedZone": 1, "ListResourceRecordSets": 2},
		"sqs":     {"CreateQueue": 1},
	}
	got := s.Counts()
	for svc, ops := range want {
		for op, n := range ops {
			if got[svc][op] != n {
				t.Errorf("count %s:%s = %d, want %d (all: %v)", svc, op, got[svc][op], n, SortedCounts(got))
			}
		}
	}

	// The same counts through the admin endpoint.
	resp, err := http.Get(s.URL() + "/_awstest/counts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var viaHTTP map[string]map[string]int
	if err := json.NewDecoder(resp.Body).Decode(&viaHTTP); err != nil {
		t.Fatal(err)
	}
	if viaHTTP["route53"]["ListResourceRecordSets"] != 2 {
		t.Errorf("admin counts = %v", viaHTTP)
	}
}

func TestResetForgetsState(t *testing.T) {
	s := Shared(t)
	ctx := t.Context()
	client := iam.NewFromConfig(s.Config("us-east-1"))
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u1")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u1")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NoSuchEntity" {
		t.Fatalf("after reset GetUser err = %v, want NoSuchEntity", err)
	}
	if n := s.Count("iam", "CreateUser"); n != 0 {
		t.Errorf("counts not reset: CreateUser=%d", n)
	}
}

func TestOperationNames(t *testing.T) {
	cases := []struct {
		service, method, path, want string
	}{
		{"route53", "POST", "/2013-04-01/hostedzone/Z1/rrset/", "ChangeResourceRecordSets"},
		{"route53", "GET", "/2013-04-01/hostedzone/Z1/rrset", "ListResourceRecordSets"},
		{"route53", "GET", "/2013-04-01/change/C1", "GetChange"},
		{"route53", "GET", "/2013-04-01/hostedzonesbyname", "ListHostedZonesByName"},
		{"ses", "POST", "/v2/email/identities", "CreateEmailIdentity"},
		{"ses", "GET", "/v2/email/identities/acme.example", "GetEmailIdentity"},
		{"ses", "PUT", "/v2/email/identities/acme.example/mail-from", "PutEmailIdentityMailFromAttributes"},
		{"ses", "PUT", "/v2/email/identities/acme.example/dkim/signing", "PutEmailIdentityDkimSigningAttributes"},
		{"ses", "POST", "/v2/email/configuration-sets/cs/event-destinations", "CreateConfigurationSetEventDestination"},
		{"ses", "PUT", "/v2/email/configuration-sets/cs/event-destinations/d1", "UpdateConfigurationSetEventDestination"},
		{"ses", "GET", "/v2/email/account", "GetAccount"},
		{"ses", "POST", "/v2/email/outbound-emails", "SendEmail"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			r, _ := http.NewRequest(c.method, "http://x"+c.path, nil)
			got, err := operationName(c.service, r)
			if err != nil || got != c.want {
				t.Errorf("operationName(%s %s) = %q, %v; want %q", c.method, c.path, got, err, c.want)
			}
		})
	}
	_ = r53types.RRTypeA
}
