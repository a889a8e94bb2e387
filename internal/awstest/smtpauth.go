package awstest

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// smtpUser is an SMTP session's authenticated IAM user.
type smtpUser struct {
	keyID      string
	region     string // the region the password was derived for
	arn        string
	statements []iamStatement
}

// iamStatement is one statement of an IAM policy, as far as SMTP sending
// needs it.
type iamStatement struct {
	Effect    string
	Action    any
	NotAction any
	Condition map[string]map[string]any
}

var errSMTPAuth = errors.New("authentication credentials invalid")

// authenticate accepts the SMTP password of an active access key created
// through the double, derived for this interface's region, whose IAM user
// may call ses:SendRawEmail. A key younger than AccessKeyDelay is not yet
// known (IAM is eventually consistent). The answer on failure is always the
// same, as AWS's is.
func (m *smtpServer) authenticate(ctx context.Context, username, password string) (*smtpUser, error) {
	secret, ok := m.s.AccessKeySecret(username)
	if !ok || m.s.accessKeyYoung(username) {
		return nil, errSMTPAuth
	}
	region := m.region
	if subtle.ConstantTimeCompare([]byte(smtpPassword(secret, region)), []byte(password)) != 1 {
		return nil, errSMTPAuth
	}
	c := iam.NewFromConfig(m.s.motoConfig("us-east-1"))
	used, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(username)})
	if err != nil || used.UserName == nil {
		return nil, errSMTPAuth
	}
	userName := aws.ToString(used.UserName)
	keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(userName)})
	if err != nil {
		return nil, errSMTPAuth
	}
	active := false
	for _, k := range keys.AccessKeyMetadata {
		if aws.ToString(k.AccessKeyId) == username && k.Status == iamtypes.StatusTypeActive {
			active = true
		}
	}
	if !active {
		return nil, errSMTPAuth
	}
	user, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(userName)})
	if err != nil {
		return nil, errSMTPAuth
	}
	u := &smtpUser{keyID: username, region: region, arn: aws.ToString(user.User.Arn)}
	docs, err := userPolicyDocuments(ctx, c, userName)
	if err != nil {
		return nil, errSMTPAuth
	}
	for _, doc := range docs {
		u.statements = append(u.statements, parseStatements(doc)...)
	}
	if !u.mayAny() {
		return nil, errSMTPAuth
	}
	return u, nil
}

// userPolicyDocuments returns the user's inline policies and the default
// versions of its attached managed policies, decoded.
func userPolicyDocuments(ctx context.Context, c *iam.Client, userName string) ([]string, error) {
	var docs []string
	names, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String(userName)})
	if err != nil {
		return nil, err
	}
	for _, name := range names.PolicyNames {
		p, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String(userName), PolicyName: aws.String(name)})
		if err != nil {
			return nil, err
		}
		doc, err := url.QueryUnescape(aws.ToString(p.PolicyDocument))
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	attached, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(userName)})
	if err != nil {
		return nil, err
	}
	for _, a := range attached.AttachedPolicies {
		p, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: a.PolicyArn})
		if err != nil {
			return nil, err
		}
		v, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: a.PolicyArn, VersionId: p.Policy.DefaultVersionId})
		if err != nil {
			return nil, err
		}
		doc, err := url.QueryUnescape(aws.ToString(v.PolicyVersion.Document))
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	return docs, nil
}

func parseStatements(doc string) []iamStatement {
	var d struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(doc), &d) != nil {
		return nil
	}
	var list []iamStatement
	if json.Unmarshal(d.Statement, &list) == nil {
		return list
	}
	var one iamStatement
	if json.Unmarshal(d.Statement, &one) == nil {
		return []iamStatement{one}
	}
	return nil
}

const sendRawEmail = "ses:SendRawEmail"

// coversSend reports whether a statement's actions include ses:SendRawEmail.
func (st iamStatement) coversSend() bool {
	if st.NotAction != nil {
		for _, p := range policyStrings(st.NotAction) {
			if iamLike(strings.ToLower(p), strings.ToLower(sendRawEmail)) {
				return false
			}
		}
		return true
	}
	for _, p := range policyStrings(st.Action) {
		if iamLike(strings.ToLower(p), strings.ToLower(sendRawEmail)) {
			return true
		}
	}
	return false
}

// conditionHolds evaluates the statement's conditions for a send from
// address. Only ses:FromAddress is known; a statement with any other
// condition is taken as not applying, which errs towards refusing.
func (st iamStatement) conditionHolds(from string) bool {
	for op, keys := range st.Condition {
		for key, values := range keys {
			if !strings.EqualFold(key, "ses:FromAddress") {
				return false
			}
			vs := policyStrings(values)
			match := false
			for _, v := range vs {
				switch op {
				case "StringLike":
					match = match || iamLike(v, from)
				case "StringEquals":
					match = match || v == from
				case "StringEqualsIgnoreCase":
					match = match || strings.EqualFold(v, from)
				default:
					return false
				}
			}
			if !match {
				return false
			}
		}
	}
	return true
}

// mayAny reports whether some statement allows ses:SendRawEmail for some
// sender, and none denies it outright.
func (u *smtpUser) mayAny() bool {
	allowed := false
	for _, st := range u.statements {
		if !st.coversSend() {
			continue
		}
		switch st.Effect {
		case "Deny":
			if len(st.Condition) == 0 {
				return false
			}
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

// mayFrom reports whether the user may send from address.
func (u *smtpUser) mayFrom(address string) bool {
	allowed := false
	for _, st := range u.statements {
		if !st.coversSend() || !st.conditionHolds(address) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

// denied is SES's SMTP answer to a sender the user's policy does not allow.
func (u *smtpUser) denied(address string) string {
	return fmt.Sprintf("554 Access denied: User `%s' is not authorized to perform `ses:SendRawEmail' on resource `arn:aws:ses:%s:%s:identity/%s'",
		u.arn, u.region, AccountID, address)
}

// iamLike matches s against an IAM pattern where * is any run of
// characters and ? any one character.
func iamLike(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func policyStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
