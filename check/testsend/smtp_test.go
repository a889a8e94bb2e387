package testsend

import (
	"net/smtp"
	"strings"
	"testing"
)

func TestLoginAuth(t *testing.T) {
	a := loginAuth{username: "AKIAEXAMPLE", password: "BSECRET"}
	if _, _, err := a.Start(&smtp.ServerInfo{Name: "x", TLS: false, Auth: []string{"LOGIN"}}); err == nil {
		t.Error("Start without TLS did not refuse")
	}
	proto, initial, err := a.Start(&smtp.ServerInfo{Name: "x", TLS: true, Auth: []string{"LOGIN"}})
	if err != nil || proto != "LOGIN" || initial != nil {
		t.Fatalf("Start = %q %q %v", proto, initial, err)
	}
	tests := []struct {
		prompt  string
		more    bool
		want    string
		wantErr bool
	}{
		{"Username:", true, "AKIAEXAMPLE", false},
		{"Password:", true, "BSECRET", false},
		{"password:", true, "BSECRET", false},
		{"Something else:", true, "", true},
		{"", false, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.prompt, func(t *testing.T) {
			got, err := a.Next([]byte(tc.prompt), tc.more)
			if (err != nil) != tc.wantErr || string(got) != tc.want {
				t.Errorf("Next(%q) = %q, %v", tc.prompt, got, err)
			}
			if err != nil && strings.Contains(err.Error(), "BSECRET") {
				t.Error("the error quotes the password")
			}
		})
	}
}

func TestRedact(t *testing.T) {
	msg := redact("server said BSECRET and QlNFQ1JFVA== back", "BSECRET")
	if strings.Contains(msg, "BSECRET") || strings.Contains(msg, "QlNFQ1JFVA==") {
		t.Errorf("redact left the password: %q", msg)
	}
}
