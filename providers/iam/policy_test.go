package iam

import (
	"net/url"
	"slices"
	"testing"
)

func TestSMTPPolicy(t *testing.T) {
	tests := []struct {
		name string
		from []string
		want string
	}{
		{"any sender", nil, `{"Statement":[{"Action":"ses:SendRawEmail","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`},
		{"senders sorted", []string{"*@b.example", "alerts@a.example"},
			`{"Statement":[{"Action":"ses:SendRawEmail","Condition":{"StringLike":{"ses:FromAddress":["*@b.example","alerts@a.example"]}},"Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SMTPPolicy(tt.from)
			if got != tt.want {
				t.Errorf("SMTPPolicy = %s\nwant          %s", got, tt.want)
			}
			if from, sorted := allowedFromOf(got), slices.Sorted(slices.Values(tt.from)); !slices.Equal(from, sorted) {
				t.Errorf("allowedFromOf = %v, want %v", from, sorted)
			}
		})
	}
}

func TestCanonicalPolicy(t *testing.T) {
	want := SMTPPolicy([]string{"*@acme.example"})
	pretty := `{
  "Version": "2012-10-17",
  "Statement": [{"Resource": "*", "Effect": "Allow", "Action": "ses:SendRawEmail",
    "Condition": {"StringLike": {"ses:FromAddress": ["*@acme.example"]}}}]
}`
	tests := []struct {
		name, in string
		wantErr  bool
	}{
		{"canonical already", want, false},
		{"reordered and indented", pretty, false},
		{"URL-encoded as IAM returns it", url.QueryEscape(pretty), false},
		{"URL-encoded with %20 spaces", url.PathEscape(pretty), false},
		{"not JSON", "Allow everything", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalPolicy(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Errorf("CanonicalPolicy(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("CanonicalPolicy = %s\nwant %s", got, want)
			}
		})
	}
}
