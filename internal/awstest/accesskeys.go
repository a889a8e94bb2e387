package awstest

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"sync"
)

// accessKeys remembers the secret of every IAM access key created through
// the double. AWS returns a secret only once; the double keeps it so that
// tests can prove what mailform stored (the SMTP password derived from it),
// and so that an SMTP endpoint can authenticate it.
type accessKeys struct {
	mu      sync.Mutex
	secrets map[string]string // access key ID -> secret access key
	users   map[string]string // access key ID -> IAM user name
	// policies caches each user's identity policies for EnforceIAM
	// (iamenforce.go); any mutating IAM call forgets them.
	policies map[string]*userPolicies
	// denials lists the calls EnforceIAM refused since the last reset.
	denials []string
}

// AccessKeySecret returns the secret of an access key created through the
// double since the last reset. It exists for tests only.
func (s *Server) AccessKeySecret(accessKeyID string) (string, bool) {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	secret, ok := s.keys.secrets[accessKeyID]
	return secret, ok
}

func (k *accessKeys) reset() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.secrets = nil
	k.users = nil
	k.policies = nil
	k.denials = nil
}

// captureAccessKey is the proxy's response hook: it records the secret of a
// successful IAM CreateAccessKey answer, leaving the response as it was.
func (k *accessKeys) captureAccessKey(resp *http.Response) error {
	req := resp.Request
	if req == nil || resp.StatusCode != http.StatusOK || signingService(req) != "iam" {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || !bytes.Contains(body, []byte("<CreateAccessKeyResult>")) {
		return nil
	}
	var out struct {
		Result struct {
			AccessKey struct {
				AccessKeyID     string `xml:"AccessKeyId"`
				SecretAccessKey string `xml:"SecretAccessKey"`
				UserName        string `xml:"UserName"`
			} `xml:"AccessKey"`
		} `xml:"CreateAccessKeyResult"`
	}
	if xml.Unmarshal(body, &out) != nil || out.Result.AccessKey.AccessKeyID == "" {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.secrets == nil {
		k.secrets = map[string]string{}
	}
	k.secrets[out.Result.AccessKey.AccessKeyID] = out.Result.AccessKey.SecretAccessKey
	if k.users == nil {
		k.users = map[string]string{}
	}
	k.users[out.Result.AccessKey.AccessKeyID] = out.Result.AccessKey.UserName
	return nil
}

// ResetCounts zeroes the call and throttle counts, keeping all AWS state, so
// that a test or benchmark can count the calls of one operation.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]map[string]int{}
	s.throttles = map[string]map[string]int{}
}
