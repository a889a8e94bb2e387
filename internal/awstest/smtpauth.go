package awstest

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// smtpUser is an SMTP session's authenticated IAM user.
type smtpUser struct {
	keyID    string
	region   string // the region the password was derived for
	arn      string
	policies []policyDocument
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
	// The same policies, read the same way, as EnforceIAM evaluates.
	up, err := m.s.readUserPolicies(ctx, userName)
	if err != nil {
		return nil, errSMTPAuth
	}
	u := &smtpUser{keyID: username, region: region, arn: up.arn, policies: up.policies}
	if !mayEver(u.policies, sendRawEmail) {
		return nil, errSMTPAuth
	}
	return u, nil
}

// sendRawEmail is the action SES's SMTP interface authorises a send as.
const sendRawEmail = "ses:SendRawEmail"

// mayFrom reports whether the user may send from address: ses:SendRawEmail
// on the address's identity with ses:FromAddress set, as SES evaluates it.
func (u *smtpUser) mayFrom(address string) bool {
	return evaluate(u.policies, authRequest{
		action:    sendRawEmail,
		resources: []string{u.identityARN(address)},
		context: map[string][]string{
			"ses:fromaddress":      {address},
			"aws:requestedregion":  {u.region},
			"aws:principalarn":     {u.arn},
			"aws:principalaccount": {AccountID},
		},
	}) == allowed
}

func (u *smtpUser) identityARN(address string) string {
	return fmt.Sprintf("arn:aws:ses:%s:%s:identity/%s", u.region, AccountID, address)
}

// denied is SES's SMTP answer to a sender the user's policy does not allow.
func (u *smtpUser) denied(address string) string {
	return fmt.Sprintf("554 Access denied: User `%s' is not authorized to perform `ses:SendRawEmail' on resource `%s'",
		u.arn, u.identityARN(address))
}
