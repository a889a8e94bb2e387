package testsend

import (
	"context"
	"strings"
	"testing"

	"github.com/mailform/mailform/internal/secrets"
)

// emptyStore holds no secret.
type emptyStore struct{ secrets.Store }

func (emptyStore) Get(context.Context, string) ([]byte, bool, error) { return nil, false, nil }

// TestSMTPWithoutStoredCredentials: an smtp_user with nothing stored (one
// adopted with the access key it had) is reported with the way to have
// mailform store a password, not only "run apply", which stores none.
func TestSMTPWithoutStoredCredentials(t *testing.T) {
	res := sendSMTP(t.Context(), emptyStore{}, SMTPUser{Label: "webapp", Credentials: "ssm:/acme/smtp/webapp"}, Setup{}, Options{}, nil)
	if !strings.Contains(res.Error, "no credentials at ssm:/acme/smtp/webapp") || !strings.Contains(res.Error, "apply -replace smtp_user.webapp") {
		t.Errorf("error = %q", res.Error)
	}
}
