package awsrecord

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// TestRecorderKeepsAnswersNotSecrets: a refused call is recorded with its
// HTTP status, code and message (a key id and a redacted value replaced),
// a GetChange that says INSYNC gives a propagation delay, and nothing of the
// request (header, parameter, credentials) reaches the file.
func TestRecorderKeepsAnswersNotSecrets(t *testing.T) {
	const (
		keyID  = "AKIARECORDERTEST0001"
		secret = "recorder-secret-access-key"
		value  = "v=DMARC1; p=quarantine-very-private"
	)
	submitted := time.Now().Add(-42 * time.Second).UTC().Format(time.RFC3339)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		switch {
		case strings.Contains(r.URL.Path, "/rrset"):
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>InvalidChangeBatch</Code><Message>[Tried to create resource record set but it already exists; caller ` + keyID + ` token very-private-token]</Message></Error><RequestId>1</RequestId></ErrorResponse>`))
		case strings.Contains(r.URL.Path, "/change/"):
			_, _ = w.Write([]byte(`<?xml version="1.0"?><GetChangeResponse><ChangeInfo><Id>/change/C1</Id><Status>INSYNC</Status><SubmittedAt>` + submitted + `</SubmittedAt></ChangeInfo></GetChangeResponse>`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()

	rec := New("aws")
	rec.Redact("very-private-token")
	cfg := rec.Config(aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}, "suite")
	client := route53.NewFromConfig(cfg)
	ctx := t.Context()
	_, err := client.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String("Z1"),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
			Action: r53types.ChangeActionCreate,
			ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("_dmarc.e2e.example."), Type: r53types.RRTypeTxt, TTL: aws.Int64(300),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(`"` + value + `"`)}}},
		}}},
	})
	if err == nil {
		t.Fatal("the refused batch did not fail")
	}
	if _, err := client.GetChange(ctx, &route53.GetChangeInput{Id: aws.String("C1")}); err != nil {
		t.Fatal(err)
	}
	rec.Note("apply-wait", "e2e.example", 3*time.Second)

	path := filepath.Join(t.TempDir(), "answers.json")
	if err := rec.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{keyID, secret, value, "very-private-token", "Authorization", "X-Amz"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the recording holds %q:\n%s", leak, raw)
		}
	}
	var f File
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Calls) != 2 || len(f.Errors) != 1 {
		t.Fatalf("calls %d, errors %d, want 2 and 1:\n%s", len(f.Calls), len(f.Errors), raw)
	}
	e := f.Errors[0]
	if e.Service != "Route 53" || e.Operation != "ChangeResourceRecordSets" || e.Region != "us-east-1" || e.Status != 400 || e.ErrorCode != "InvalidChangeBatch" {
		t.Errorf("error call = %+v", e)
	}
	if want := "[Tried to create resource record set but it already exists; caller <access-key-id> token <redacted>]"; e.ErrorMessage != want {
		t.Errorf("message = %q, want %q", e.ErrorMessage, want)
	}
	if e.Source != "suite" {
		t.Errorf("source = %q", e.Source)
	}
	if f.Calls[1].Status != 200 || f.Calls[1].ErrorCode != "" {
		t.Errorf("GetChange = %+v", f.Calls[1])
	}
	if len(f.Delays) != 2 || f.Delays[0].Kind != "route53-insync" || f.Delays[0].Seconds < 40 || f.Delays[1].Kind != "apply-wait" {
		t.Errorf("delays = %+v", f.Delays)
	}
	if len(f.Operations) != 2 || f.Operations[0].Operation != "ChangeResourceRecordSets" || f.Operations[0].Errors["InvalidChangeBatch"] != 1 {
		t.Errorf("operations = %+v", f.Operations)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("file mode: %v %v", info.Mode(), err)
	}
}
