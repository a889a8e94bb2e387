package awscfg

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Debug writes one line per call with service, operation, region, duration,
// attempts, throttles, status and error code, and nothing a secret could be
// in: no header, no parameter, no body, no error message.
func TestDebugLogsEveryCallWithoutSecrets(t *testing.T) {
	const (
		keyID        = "AKIDDEBUGTEST"
		secretKey    = "caller-secret-key-do-not-print"
		secretValue  = "stored-secret-value-do-not-print"
		errorMessage = "message-may-quote-input-do-not-print"
	)
	_, url := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch {
		case n <= 2: // Route 53 throttles twice, then answers
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>` + errorMessage + `</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
		case n == 3:
			_, _ = w.Write([]byte(`<GetHostedZoneCountResponse><HostedZoneCount>3</HostedZoneCount></GetHostedZoneCountResponse>`))
		default: // Secrets Manager refuses, quoting what it was sent
			w.Header().Set("X-Amzn-Errortype", "InvalidRequestException")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"InvalidRequestException","message":"` + errorMessage + ` ` + secretValue + `"}`))
		}
	})
	cfg := testConfig(url, "eu-west-1")
	cfg.Credentials = credentials.NewStaticCredentialsProvider(keyID, secretKey, "")
	var log bytes.Buffer
	cfg = Debug(cfg, &log)

	if _, err := route53.NewFromConfig(cfg).GetHostedZoneCount(t.Context(), &route53.GetHostedZoneCountInput{}); err != nil {
		t.Fatalf("GetHostedZoneCount: %v", err)
	}
	_, err := secretsmanager.NewFromConfig(cfg).PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("smtp/webapp"), SecretString: aws.String(secretValue),
	})
	if err == nil {
		t.Fatal("PutSecretValue succeeded, want the refusal")
	}

	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^aws: Route 53 GetHostedZoneCount eu-west-1 \d+ms attempts=3 throttles=2 status=200$`),
		regexp.MustCompile(`^aws: Secrets Manager PutSecretValue eu-west-1 \d+ms attempts=1 throttles=0 status=400 error=InvalidRequestException$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), log.String())
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d = %q, want it to match %s", i+1, lines[i], re)
		}
	}
	for _, secret := range []string{keyID, secretKey, secretValue, errorMessage, "smtp/webapp", "Authorization", "Signature"} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("the debug log holds %q:\n%s", secret, log.String())
		}
	}
}
