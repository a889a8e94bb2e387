package iam

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/mailform/mailform/specs"
)

// SendingUser is an IAM user whose inline policies let it send with SES.
type SendingUser struct {
	Name   string
	Owner  string // the stack of its mailform:stack tag, or ""
	Policy string // the inline policies' documents that mention ses:SendRawEmail, decoded
	Path   string
	// Policies are those documents one by one.
	Policies []string
}

// SendingUsers lists the IAM users whose inline policies allow
// ses:SendRawEmail (the action SES's SMTP interface needs), for `mailform
// import`, which reports them. Calls: the paginated
// GetAccountAuthorizationDetails that Read makes.
func (p *Provider) SendingUsers(ctx context.Context) ([]SendingUser, error) {
	var out []SendingUser
	err := p.eachUserDetail(ctx, func(d iamtypes.UserDetail) error {
		var docs []string
		for _, pol := range d.UserPolicyList {
			doc := aws.ToString(pol.PolicyDocument)
			if decoded, err := url.QueryUnescape(doc); err == nil {
				doc = decoded
			}
			if strings.Contains(strings.ToLower(doc), "ses:sendrawemail") {
				docs = append(docs, doc)
			}
		}
		if len(docs) > 0 {
			out = append(out, SendingUser{Name: aws.ToString(d.UserName), Owner: tagMap(d.Tags)[specs.TagStack], Policy: strings.Join(docs, "\n"),
				Path: aws.ToString(d.Path), Policies: docs})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachUserDetail calls f with every IAM user of the account, its tags and
// inline policies, from the paginated GetAccountAuthorizationDetails (1,000
// users a page), stopping at f's first error.
func (p *Provider) eachUserDetail(ctx context.Context, f func(iamtypes.UserDetail) error) error {
	pages := iamsdk.NewGetAccountAuthorizationDetailsPaginator(p.api, &iamsdk.GetAccountAuthorizationDetailsInput{
		Filter:   []iamtypes.EntityType{iamtypes.EntityTypeUser},
		MaxItems: aws.Int32(1000),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("reading IAM users: %w", err)
		}
		for _, d := range page.UserDetailList {
			if err := f(d); err != nil {
				return err
			}
		}
	}
	return nil
}
