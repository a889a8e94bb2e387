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

// TestAsSMTPPolicy: a policy written by hand that allows what an smtp_user's
// policy allows, in another of the forms IAM accepts, is taken as mailform's
// policy of the same senders; one that allows anything else is not.
func TestAsSMTPPolicy(t *testing.T) {
	for doc, want := range map[string]string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["ses:SendRawEmail"],"Resource":"*","Condition":{"StringLike":{"ses:FromAddress":"*@a.example"}}}}`:   SMTPPolicy([]string{"*@a.example"}),
		`{"Version":"2012-10-17","Statement":[{"Resource":["*"],"Action":"ses:SendRawEmail","Effect":"Allow"}]}`:                                                              SMTPPolicy(nil),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ses:SendRawEmail","ses:SendEmail"],"Resource":"*"}]}`:                                              "",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendRawEmail","Resource":"arn:aws:ses:us-west-2:123456789012:identity/a.example"}]}`:            "",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendRawEmail","Resource":"*","Condition":{"StringEquals":{"ses:FromAddress":"a@a.example"}}}]}`: "",
	} {
		canon, err := CanonicalPolicy(doc)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := asSMTPPolicy(canon)
		if ok != (want != "") || got != want {
			t.Errorf("asSMTPPolicy(%s) = %s, %v; want %q", doc, got, ok, want)
		}
	}
}

// TestKeptKey: an unmarked user's one active key is kept; the stack's user
// keeps the key its tag names while it is active; otherwise none.
func TestKeptKey(t *testing.T) {
	active := func(id string) accessKey { return accessKey{id: id, active: true} }
	for _, c := range []struct {
		owner, tagged string
		keys          []accessKey
		want          string
	}{
		{"", "", []accessKey{active("AKIA1")}, "AKIA1"},
		{"", "", []accessKey{active("AKIA1"), active("AKIA2")}, ""},
		{"", "", []accessKey{{id: "AKIA1"}}, ""},
		{"", "", nil, ""},
		{"acme-prod", "AKIA2", []accessKey{active("AKIA1"), active("AKIA2")}, "AKIA2"},
		{"acme-prod", "AKIA2", []accessKey{active("AKIA1"), {id: "AKIA2"}}, ""},
		{"acme-prod", "", []accessKey{active("AKIA1")}, ""},
	} {
		if got := keptKey(c.owner, c.tagged, c.keys); got != c.want {
			t.Errorf("keptKey(%q, %q, %v) = %q, want %q", c.owner, c.tagged, c.keys, got, c.want)
		}
	}
}
