// Package iam is mailform's provider for SMTP users (kind iam.smtp_user): an
// IAM user tagged with the stack's mark, its inline ses:SendRawEmail policy,
// exactly one active access key, and the SES SMTP credentials derived from
// that key, written to the secret store the spec names.
//
// It never decides what should change (plan does), never touches a user that
// does not carry the stack's mark, and never lets a secret access key or an
// SMTP password reach an error, a Result, an Observed attribute or a log: the
// secret of a new key lives only in memory until it is in the secret store.
package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/mailform/mailform/internal/secrets"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// TagCredentials records on the IAM user where its SMTP credentials are kept,
// so that a later run can delete them with the user once its block is gone.
const TagCredentials = "mailform:credentials"

// TagRegion records on the IAM user the region of the stack that made it.
// IAM is global; the user's password, its stored credentials and the rest of
// the stack are regional, so a plan for another region must refuse the user
// rather than take it for its own (plan.Observed.Region).
const TagRegion = "mailform:region"

// TagKeptKey records on an adopted IAM user the access key it had, whose
// SMTP password mailform cannot know: the key is kept, its password keeps
// working, and mailform stores no credentials for it until a rotation
// (apply -replace) is asked for. Empty after such a rotation.
const TagKeptKey = "mailform:kept-access-key"

// AttrKeptKey is the observed attribute naming the kept access key, as the
// plan shows it (docs/secrets.md, "Adopting an SMTP user").
const AttrKeptKey = "kept_access_key_id"

// digestKept is the observed password of a user whose kept access key's
// password is held outside mailform.
const digestKept = "kept"

// API is the part of the IAM client the provider uses.
type API interface {
	GetAccountAuthorizationDetails(ctx context.Context, in *iamsdk.GetAccountAuthorizationDetailsInput, optFns ...func(*iamsdk.Options)) (*iamsdk.GetAccountAuthorizationDetailsOutput, error)
	GetUser(ctx context.Context, in *iamsdk.GetUserInput, optFns ...func(*iamsdk.Options)) (*iamsdk.GetUserOutput, error)
	CreateUser(ctx context.Context, in *iamsdk.CreateUserInput, optFns ...func(*iamsdk.Options)) (*iamsdk.CreateUserOutput, error)
	UpdateUser(ctx context.Context, in *iamsdk.UpdateUserInput, optFns ...func(*iamsdk.Options)) (*iamsdk.UpdateUserOutput, error)
	TagUser(ctx context.Context, in *iamsdk.TagUserInput, optFns ...func(*iamsdk.Options)) (*iamsdk.TagUserOutput, error)
	DeleteUser(ctx context.Context, in *iamsdk.DeleteUserInput, optFns ...func(*iamsdk.Options)) (*iamsdk.DeleteUserOutput, error)
	PutUserPolicy(ctx context.Context, in *iamsdk.PutUserPolicyInput, optFns ...func(*iamsdk.Options)) (*iamsdk.PutUserPolicyOutput, error)
	GetUserPolicy(ctx context.Context, in *iamsdk.GetUserPolicyInput, optFns ...func(*iamsdk.Options)) (*iamsdk.GetUserPolicyOutput, error)
	ListUserPolicies(ctx context.Context, in *iamsdk.ListUserPoliciesInput, optFns ...func(*iamsdk.Options)) (*iamsdk.ListUserPoliciesOutput, error)
	DeleteUserPolicy(ctx context.Context, in *iamsdk.DeleteUserPolicyInput, optFns ...func(*iamsdk.Options)) (*iamsdk.DeleteUserPolicyOutput, error)
	ListAccessKeys(ctx context.Context, in *iamsdk.ListAccessKeysInput, optFns ...func(*iamsdk.Options)) (*iamsdk.ListAccessKeysOutput, error)
	CreateAccessKey(ctx context.Context, in *iamsdk.CreateAccessKeyInput, optFns ...func(*iamsdk.Options)) (*iamsdk.CreateAccessKeyOutput, error)
	DeleteAccessKey(ctx context.Context, in *iamsdk.DeleteAccessKeyInput, optFns ...func(*iamsdk.Options)) (*iamsdk.DeleteAccessKeyOutput, error)
}

// Provider reads and changes SMTP users.
type Provider struct {
	api   API
	store secrets.Store
	proof KeyProof
}

// New builds the provider on the real IAM client; store holds the SMTP
// credentials (secrets.Open).
// New proves each new key with DefaultKeyProof before it deletes the key
// the new one replaces.
func New(cfg aws.Config, store secrets.Store) *Provider {
	return NewWithAPI(iamsdk.NewFromConfig(cfg), store).WithKeyProof(DefaultKeyProof(cfg))
}

// NewWithAPI builds the provider on any implementation of API. It trusts a
// new key at once, until WithKeyProof says how to prove it.
func NewWithAPI(api API, store secrets.Store) *Provider {
	return &Provider{api: api, store: store}
}

var _ providers.Provider = (*Provider)(nil)

// Kinds implements providers.Provider.
func (p *Provider) Kinds() []specs.Kind { return []specs.Kind{specs.KindSMTPUser} }

// user is one IAM user as Read sees it.
type user struct {
	name, path, arn string
	tags            map[string]string
	policy          string // canonical, "" without mailform's inline policy
	// policyName is the name of the inline policy read as policy when it
	// is not mailform's: the one policy allowing ses:SendRawEmail of a user
	// not yet the stack's, which adopting renames.
	policyName string
}

// Read implements providers.Provider. It reads every IAM user with its tags
// and inline policies in one paginated GetAccountAuthorizationDetails
// (Filter=User, up to 1000 users a page) instead of a ListUserTags and a
// GetUserPolicy per user; then, for each user that carries the stack's mark
// or that a desired resource names, one ListAccessKeys and one read of its
// credentials from the secret store.
func (p *Provider) Read(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error) {
	byName := map[string]specs.Resource{}
	for _, r := range desired {
		if r.Kind == specs.KindSMTPUser {
			byName[str(r.Attrs, "user_name")] = r
		}
	}
	var users []user
	err := p.eachUserDetail(ctx, func(d iamtypes.UserDetail) error {
		u := user{name: aws.ToString(d.UserName), path: aws.ToString(d.Path), arn: aws.ToString(d.Arn), tags: tagMap(d.Tags)}
		_, wanted := byName[u.name]
		if u.tags[specs.TagStack] != stack && !wanted {
			return nil
		}
		var sending []string // the names of the policies allowing ses:SendRawEmail
		docs := map[string]string{}
		for _, pol := range d.UserPolicyList {
			name := aws.ToString(pol.PolicyName)
			c, err := CanonicalPolicy(aws.ToString(pol.PolicyDocument))
			if err != nil {
				if name == PolicyName {
					return fmt.Errorf("IAM user %s: inline policy %s: %w", u.name, PolicyName, err)
				}
				continue
			}
			if name == PolicyName {
				u.policy = c
			} else if strings.Contains(strings.ToLower(c), "ses:sendrawemail") {
				sending = append(sending, name)
				docs[name] = c
			}
		}
		if u.policy == "" && u.tags[specs.TagStack] == "" && len(sending) == 1 {
			// A user made by hand sends under a policy of its own name:
			// that is the policy an adoption takes over.
			u.policy, u.policyName = docs[sending[0]], sending[0]
			if same, ok := asSMTPPolicy(u.policy); ok {
				u.policy = same
			}
		}
		users = append(users, u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// GetAccountAuthorizationDetails may not yet show a user created
	// moments ago: a desired user missing from it is looked up by name.
	for _, n := range specs.SortedKeys(byName) {
		if n == "" || slices.ContainsFunc(users, func(u user) bool { return u.name == n }) {
			continue
		}
		u, found, err := p.lookUpUser(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", byName[n].Addr, err)
		}
		if found {
			users = append(users, u)
		}
	}
	slices.SortFunc(users, func(a, b user) int { return strings.Compare(a.name, b.name) })
	var out []plan.Observed
	for _, u := range users {
		o, err := p.observe(ctx, stack, u, byName[u.name])
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// lookUpUser reads one user by name, with its tags and mailform's inline
// policy, as GetAccountAuthorizationDetails would have given it.
func (p *Provider) lookUpUser(ctx context.Context, name string) (user, bool, error) {
	got, err := p.api.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String(name)})
	if isNoSuchEntity(err) {
		return user{}, false, nil
	}
	if err != nil {
		return user{}, false, fmt.Errorf("reading IAM user %s: %w", name, err)
	}
	u := user{name: name, path: aws.ToString(got.User.Path), arn: aws.ToString(got.User.Arn), tags: tagMap(got.User.Tags)}
	pol, err := p.api.GetUserPolicy(ctx, &iamsdk.GetUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(PolicyName)})
	switch {
	case isNoSuchEntity(err):
	case err != nil:
		return user{}, false, fmt.Errorf("reading inline policy %s of IAM user %s: %w", PolicyName, name, err)
	default:
		if u.policy, err = CanonicalPolicy(aws.ToString(pol.PolicyDocument)); err != nil {
			return user{}, false, fmt.Errorf("IAM user %s: inline policy %s: %w", name, PolicyName, err)
		}
	}
	return u, true, nil
}

// observe completes what Read knows of one user with its access keys and
// stored credentials.
func (p *Provider) observe(ctx context.Context, stack string, u user, want specs.Resource) (plan.Observed, error) {
	owner := u.tags[specs.TagStack]
	addr := want.Addr
	if owner == stack && u.tags[specs.TagAddr] != "" {
		addr = u.tags[specs.TagAddr]
	}
	if addr == "" {
		addr = "smtp_user." + u.name
	}
	keys, err := p.accessKeys(ctx, u.name)
	if err != nil {
		return plan.Observed{}, fmt.Errorf("%s: %w", addr, err)
	}
	loc := u.tags[TagCredentials]
	if loc == "" {
		loc = str(want.Attrs, "credentials")
	}
	var unreadable string
	attrs := map[string]any{
		"user_name": u.name,
		"path":      u.path,
		"arn":       u.arn,
	}
	if u.policyName != "" {
		attrs[AttrPolicyName] = u.policyName
	}
	if u.policy != "" {
		attrs["policy"] = u.policy
		if from := allowedFromOf(u.policy); len(from) > 0 {
			attrs["allowed_from"] = from
		}
	}
	if loc != "" {
		attrs["credentials"] = loc
		keyID, region, found, err := p.storedKey(ctx, loc)
		if err != nil && !secrets.Unreadable(err) {
			return plan.Observed{}, fmt.Errorf("%s: %w", addr, err)
		}
		if err != nil {
			unreadable = fmt.Sprintf("the SMTP credentials in %s (%v)", loc, err)
		}
		if found != storedNone {
			attrs["region"] = region
			// The password counts as present only when the stored key is
			// one of the user's keys, and active: a stored key that IAM no
			// longer has makes plan schedule an update that converges. Other
			// keys (one kept until AWS accepted its successor, one made by
			// hand, a run stopped half way through a rotation) are listed,
			// and plan schedules an update that deletes them.
			var extras []any
			stored := false
			for _, k := range keys {
				if k.id == keyID {
					stored = k.active
				} else {
					extras = append(extras, k.id)
				}
			}
			if stored {
				attrs["password"] = specs.Sensitive{Digest: "present"}
				attrs["access_key_id"] = keyID
				if len(extras) > 0 {
					attrs["extra_access_key_ids"] = extras
				}
			}
		}
		if found == storedUntagged {
			attrs[plan.AttrSecretUntagged] = loc
		}
		if found == storedNone {
			if id := keptKey(owner, u.tags[TagKeptKey], keys); id != "" {
				attrs["password"] = specs.Sensitive{Digest: digestKept}
				attrs[AttrKeptKey] = id
				// The region the kept password was derived for is not
				// known; the user is the stack's in the region it is
				// tagged with, or adopted into the one planned.
				attrs["region"] = u.tags[TagRegion]
				if attrs["region"] == "" {
					attrs["region"] = str(want.Attrs, "region")
				}
			}
		}
	}
	return plan.Observed{Addr: addr, Kind: specs.KindSMTPUser, ID: u.name, Owner: owner, Region: u.tags[TagRegion], Unreadable: unreadable, Attrs: attrs}, nil
}

// keptKey is the access key whose SMTP password is held outside mailform,
// when nothing is stored at the user's credentials location: for a user no
// stack has marked, its one active key (adopting it keeps that key); for the
// stack's user, the key its kept-access-key tag names, while it is active.
// "" when there is none, and the password counts as missing.
func keptKey(owner, tagged string, keys []accessKey) string {
	if owner == "" {
		if len(keys) == 1 && keys[0].active {
			return keys[0].id
		}
		return ""
	}
	for _, k := range keys {
		if tagged != "" && k.id == tagged && k.active {
			return k.id
		}
	}
	return ""
}

// storedFound is what storedKey found at a location.
type storedFound int

const (
	storedNone     storedFound = iota // no credentials
	storedTagged                      // known from the secret's tags, or read from a file
	storedUntagged                    // in AWS without the tags (an older mailform wrote them): the value was read
)

// storedKey says which access key, derived for which region, the
// credentials at loc hold. In SSM and Secrets Manager it reads the secret's
// tags (secrets.SMTPCredentialTags), never its value, so that a role that
// plans needs no permission to decrypt; a file, or a secret without those
// tags, is read.
func (p *Provider) storedKey(ctx context.Context, loc string) (keyID, region string, found storedFound, err error) {
	l, err := secrets.ParseLocation(loc)
	if err != nil {
		return "", "", 0, err
	}
	if l.Scheme != secrets.File {
		tags, ok, err := p.store.Tags(ctx, loc)
		if err != nil || !ok {
			return "", "", 0, err
		}
		if id := tags[secrets.TagAccessKeyID]; id != "" {
			return id, tags[secrets.TagSMTPRegion], storedTagged, nil
		}
	}
	creds, ok, err := p.storedCredentials(ctx, loc)
	if err != nil || !ok {
		return "", "", 0, err
	}
	if l.Scheme != secrets.File {
		return creds.Username, creds.Region, storedUntagged, nil
	}
	return creds.Username, creds.Region, storedTagged, nil
}

// storedCredentials reads the credentials document at loc. A secret that is
// not such a document counts as absent: the next key's credentials replace it
// (if it is ours to replace).
func (p *Provider) storedCredentials(ctx context.Context, loc string) (secrets.SMTPCredentials, bool, error) {
	b, found, err := p.store.Get(ctx, loc)
	if err != nil || !found {
		return secrets.SMTPCredentials{}, false, err
	}
	creds, err := secrets.DecodeSMTPCredentials(b)
	if err != nil {
		return secrets.SMTPCredentials{}, false, nil
	}
	return creds, true, nil
}

type accessKey struct {
	id      string
	active  bool
	created time.Time
}

func (p *Provider) accessKeys(ctx context.Context, userName string) ([]accessKey, error) {
	var out []accessKey
	pages := iamsdk.NewListAccessKeysPaginator(p.api, &iamsdk.ListAccessKeysInput{UserName: aws.String(userName)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the access keys of IAM user %s: %w", userName, err)
		}
		for _, k := range page.AccessKeyMetadata {
			out = append(out, accessKey{id: aws.ToString(k.AccessKeyId), active: k.Status == iamtypes.StatusTypeActive, created: aws.ToTime(k.CreateDate)})
		}
	}
	slices.SortFunc(out, func(a, b accessKey) int { return strings.Compare(a.id, b.id) })
	return out, nil
}

func tagMap(tags []iamtypes.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

func iamTags(tags map[string]string) []iamtypes.Tag {
	var out []iamtypes.Tag
	for _, k := range specs.SortedKeys(tags) {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

func str(attrs map[string]any, key string) string {
	switch v := attrs[key].(type) {
	case string:
		return v
	case specs.Deferred:
		return "" // not resolved: unusable
	}
	return ""
}

func strList(attrs map[string]any, key string) []string {
	var out []string
	switch v := attrs[key].(type) {
	case []string:
		out = append(out, v...)
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out
}

func isNoSuchEntity(err error) bool {
	var nf *iamtypes.NoSuchEntityException
	return errors.As(err, &nf)
}

// joinMessages joins the non-empty notes of one change.
