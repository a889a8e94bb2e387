package sesdouble

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// TestOperationNamesRealRequests names the requests the SDK clients send, in
// front of the double, and checks that the double can still serve them (the
// v1 body is restored).
func TestOperationNamesRealRequests(t *testing.T) {
	d := New(newStubBackend(), Options{Now: func() time.Time { return time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC) }})
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, err := Operation(r)
		if err != nil {
			t.Errorf("Operation: %v", err)
		}
		mu.Lock()
		seen = append(seen, op)
		mu.Unlock()
		d.ServeHTTP(w, r)
	}))
	defer srv.Close()
	v2, v1 := clients(srv.URL, testRegion)
	ctx := t.Context()
	calls := []struct {
		want string
		call func() error
	}{
		{"CreateEmailIdentity", func() error {
			_, err := v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("user+tag@acme.example")})
			return err
		}},
		{"GetEmailIdentity", func() error {
			_, err := v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("user+tag@acme.example")})
			return err
		}},
		{"ListEmailIdentities", func() error {
			_, err := v2.ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{})
			return err
		}},
		{"PutEmailIdentityDkimSigningAttributes", func() error {
			_, err := v2.PutEmailIdentityDkimSigningAttributes(ctx, &sesv2.PutEmailIdentityDkimSigningAttributesInput{EmailIdentity: aws.String("x.example"), SigningAttributesOrigin: types.DkimSigningAttributesOriginAwsSes})
			return err
		}},
		{"PutEmailIdentityDkimAttributes", func() error {
			_, err := v2.PutEmailIdentityDkimAttributes(ctx, &sesv2.PutEmailIdentityDkimAttributesInput{EmailIdentity: aws.String("x.example")})
			return err
		}},
		{"GetConfigurationSetEventDestinations", func() error {
			_, err := v2.GetConfigurationSetEventDestinations(ctx, &sesv2.GetConfigurationSetEventDestinationsInput{ConfigurationSetName: aws.String("s")})
			return err
		}},
		{"DeleteConfigurationSetEventDestination", func() error {
			_, err := v2.DeleteConfigurationSetEventDestination(ctx, &sesv2.DeleteConfigurationSetEventDestinationInput{ConfigurationSetName: aws.String("s"), EventDestinationName: aws.String("d")})
			return err
		}},
		{"ListConfigurationSets", func() error {
			_, err := v2.ListConfigurationSets(ctx, &sesv2.ListConfigurationSetsInput{})
			return err
		}},
		{"GetAccount", func() error { _, err := v2.GetAccount(ctx, &sesv2.GetAccountInput{}); return err }},
		{"UntagResource", func() error {
			_, err := v2.UntagResource(ctx, &sesv2.UntagResourceInput{ResourceArn: aws.String("arn:aws:ses:us-west-2:123456789012:identity/x.example"), TagKeys: []string{"a"}})
			return err
		}},
		{"SendEmail", func() error {
			_, err := v2.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@x.example"),
				Destination: &types.Destination{ToAddresses: []string{"success@simulator.amazonses.com"}},
				Content:     &types.EmailContent{Raw: &types.RawMessage{Data: []byte("Subject: x\r\n\r\nbody")}}})
			return err
		}},
		{"GetEmailIdentityPolicies", func() error {
			_, err := v2.GetEmailIdentityPolicies(ctx, &sesv2.GetEmailIdentityPoliciesInput{EmailIdentity: aws.String("x.example")})
			return err
		}},
		{"GetIdentityDkimAttributes", func() error {
			_, err := v1.GetIdentityDkimAttributes(ctx, &ses.GetIdentityDkimAttributesInput{Identities: []string{"user+tag@acme.example"}})
			return err
		}},
		{"VerifyDomainIdentity", func() error {
			_, err := v1.VerifyDomainIdentity(ctx, &ses.VerifyDomainIdentityInput{Domain: aws.String("y.example")})
			return err
		}},
		{"ListReceiptRuleSets", func() error {
			_, err := v1.ListReceiptRuleSets(ctx, &ses.ListReceiptRuleSetsInput{})
			if code := errorCode(t, err); code != "InvalidAction" {
				t.Errorf("an action the double does not emulate: %q, want InvalidAction", code)
			}
			return err
		}},
	}
	var want []string
	for _, c := range calls {
		err := c.call()
		if (c.want == "CreateEmailIdentity" || c.want == "VerifyDomainIdentity" || c.want == "ListConfigurationSets") && err != nil {
			t.Errorf("%s: %v", c.want, err)
		}
		want = append(want, c.want)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Fatalf("operations\n got %v\nwant %v", seen, want)
	}
}

func TestOperationErrors(t *testing.T) {
	cases := []struct {
		name   string
		method string
		target string
		body   string
		want   string
		err    bool
	}{
		{"v1 action in the body", "POST", "/", "Action=SendRawEmail&Version=2010-12-01", "SendRawEmail", false},
		{"v1 action in the query", "GET", "/?Action=ListIdentities", "", "ListIdentities", false},
		{"no action", "POST", "/", "Version=2010-12-01", "", true},
		{"unknown v2 path", "GET", "/v2/email/nothing-here", "", "", true},
		{"legacy GET list form", "GET", "/v2/email/identities?PageSize=10", "", "ListEmailIdentities", false},
		{"escaped identity", "DELETE", "/v2/email/identities/a%40b.example", "", "DeleteEmailIdentity", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
			got, err := Operation(r)
			if (err != nil) != c.err || got != c.want {
				t.Fatalf("Operation = %q, %v; want %q (error %v)", got, err, c.want, c.err)
			}
			if c.body != "" {
				rest := make([]byte, len(c.body)+1)
				n, _ := r.Body.Read(rest)
				if string(rest[:n]) != c.body {
					t.Fatalf("body not restored: %q", rest[:n])
				}
			}
		})
	}
}

func TestIsSend(t *testing.T) {
	for op, want := range map[string]bool{
		"SendEmail": true, "SendRawEmail": true, "SendTemplatedEmail": true, "SendBulkEmail": true,
		"GetSendQuota": false, "CreateEmailIdentity": false, "SendCustomVerificationEmail": false, "": false,
	} {
		if IsSend(op) != want {
			t.Errorf("IsSend(%q) = %v", op, !want)
		}
	}
}

func TestRequestRegion(t *testing.T) {
	cases := map[string]string{
		"AWS4-HMAC-SHA256 Credential=AKID/20261130/eu-central-1/ses/aws4_request, SignedHeaders=host, Signature=x": "eu-central-1",
		"": "us-east-1",
	}
	for auth, want := range cases {
		r := httptest.NewRequest("GET", "/v2/email/account", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if got := RequestRegion(r); got != want {
			t.Errorf("RequestRegion(%q) = %q, want %q", auth, got, want)
		}
	}
}

func TestV2OperationsNotEmulatedAndLegacyForms(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	_, err := e.v2.CreateEmailTemplate(ctx, &sesv2.CreateEmailTemplateInput{TemplateName: aws.String("t"),
		TemplateContent: &types.EmailTemplateContent{Subject: aws.String("s")}})
	if code := errorCode(t, err); code != "UnknownOperationException" || !strings.Contains(err.Error(), "CreateEmailTemplate") {
		t.Fatalf("not emulated: %v", err)
	}
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("a.example")}))
	must[*sesv2.CreateConfigurationSetOutput](t)(e.v2.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String("s")}))
	for path, want := range map[string]string{
		"/v2/email/identities?PageSize=5":         `"IdentityName":"a.example"`,
		"/v2/email/configuration-sets?PageSize=5": `"ConfigurationSets":["s"]`,
	} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/us-west-2/ses/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
		}
	}
}
