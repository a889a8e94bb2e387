package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailform/mailform/internal/permissions"
)

// TestPermissionsTakePartitionAndAccountFromSTS: the ARNs of the printed
// policy carry the partition and account of STS's answer, here from
// GovCloud (US).
func TestPermissionsTakePartitionAndAccountFromSTS(t *testing.T) {
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws-us-gov:iam::111122223333:user/deployer</Arn>
    <UserId>AIDAEXAMPLE</UserId>
    <Account>111122223333</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`))
	}))
	defer sts.Close()
	dir := t.TempDir()
	spec := `mailform {
  stack  = "gov"
  region = "us-gov-west-1"
}

smtp_user "app" {
  credentials = "secretsmanager:gov/smtp"
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := []string{"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=example", "AWS_EC2_METADATA_DISABLED=true"}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	code := Run(t.Context(), []string{"permissions", "-for", "all", dir, "-endpoint-url", sts.URL}, IO{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Env: env})
	if code != ExitOK || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	var p permissions.Policy
	if err := json.Unmarshal(stdout.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"arn:aws-us-gov:iam::111122223333:user/gov-smtp-app",
		"arn:aws-us-gov:secretsmanager:us-gov-west-1:111122223333:secret:gov/smtp-??????",
		"arn:aws-us-gov:ssm:us-gov-west-1:111122223333:parameter/mailform/locks/gov",
	}
	var got []string
	for _, st := range p.Statement {
		for _, r := range st.Resource {
			if r != "*" {
				got = append(got, r)
			}
		}
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("policy lacks resource %s; has %v", w, got)
		}
	}
	for _, g := range got {
		if strings.HasPrefix(g, "arn:aws:") {
			t.Errorf("resource %s is in partition aws", g)
		}
	}
}
