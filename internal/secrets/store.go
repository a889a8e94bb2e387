// Package secrets reads and writes the secrets mailform manages (SMTP
// credentials, DKIM private keys) in the store a spec names: an SSM
// SecureString parameter, a Secrets Manager secret, or a local file beside the
// spec. Secrets in AWS carry the stack's ownership tags; a secret that carries
// another mark, or none, is never overwritten or deleted.
//
// It must never put a secret value into an error, a log line or any other
// output: errors name the location and what the store said, nothing more.
package secrets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/mailform/mailform/specs"
)

// Tag is one extra tag a secret in AWS carries besides the stack's mark.
type Tag struct {
	Key, Value string
}

// TagKind records which kind of resource a secret belongs to, so that a later
// run can tell a DKIM key from SMTP credentials among the stack's secrets.
const TagKind = "mailform:kind"

// Entry is a secret found in a store, with its tags.
type Entry struct {
	Location Location
	Tags     map[string]string
}

// Store reads and writes secrets by location ("ssm:/path",
// "secretsmanager:name", "file:relative/path").
type Store interface {
	// Get returns the secret at loc; found is false when there is none.
	Get(ctx context.Context, loc string) (value []byte, found bool, err error)
	// Put writes value to loc, tagged mailform:stack=stack plus tags. It
	// refuses (ErrNotOwned) to overwrite a secret in AWS that does not carry
	// the mark of stack. Files carry no tags and are written atomically with
	// mode 0600.
	Put(ctx context.Context, loc string, value []byte, stack string, tags ...Tag) error
	// Delete removes the secret at loc; a secret that is already gone is not
	// an error. Callers check ownership (Tags) first. A Secrets Manager
	// secret is scheduled for deletion after RecoveryWindowDays (restorable
	// until then) unless the Router was told ForceDeleteSecrets.
	Delete(ctx context.Context, loc string) error
	// Tags returns the tags of the secret at loc (nil for a file, which has
	// none); found is false when there is no secret.
	Tags(ctx context.Context, loc string) (tags map[string]string, found bool, err error)
	// Adopt adds the mark of stack (and tags) to an existing secret in AWS
	// that carries no stack's mark, leaving its value as it is. A secret
	// that carries another stack's mark is refused (ErrNotOwned); a file
	// needs no mark.
	Adopt(ctx context.Context, loc, stack string, tags ...Tag) error
	// List returns the secrets in SSM and Secrets Manager that carry the mark
	// of stack and, when kind is not "", the tag mailform:kind=kind, sorted by
	// location. Files cannot be listed: they carry no mark.
	List(ctx context.Context, stack, kind string) ([]Entry, error)
}

// ErrNotOwned is returned by Put when the secret exists in AWS without the
// stack's ownership mark.
var ErrNotOwned = errors.New("the secret exists and does not carry this stack's mailform:stack tag")

// SSMAPI is the part of the SSM client the store uses.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, optFns ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	DeleteParameter(ctx context.Context, in *ssm.DeleteParameterInput, optFns ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error)
	ListTagsForResource(ctx context.Context, in *ssm.ListTagsForResourceInput, optFns ...func(*ssm.Options)) (*ssm.ListTagsForResourceOutput, error)
	AddTagsToResource(ctx context.Context, in *ssm.AddTagsToResourceInput, optFns ...func(*ssm.Options)) (*ssm.AddTagsToResourceOutput, error)
	DescribeParameters(ctx context.Context, in *ssm.DescribeParametersInput, optFns ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error)
}

// SecretsManagerAPI is the part of the Secrets Manager client the store uses.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	CreateSecret(ctx context.Context, in *secretsmanager.CreateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	DeleteSecret(ctx context.Context, in *secretsmanager.DeleteSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error)
	RestoreSecret(ctx context.Context, in *secretsmanager.RestoreSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.RestoreSecretOutput, error)
	TagResource(ctx context.Context, in *secretsmanager.TagResourceInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.TagResourceOutput, error)
	ListSecrets(ctx context.Context, in *secretsmanager.ListSecretsInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretsOutput, error)
}

// Open returns the Store that dispatches each location to SSM, Secrets
// Manager or the file system; file locations are relative to specDir.
func Open(cfg aws.Config, specDir string) *Router {
	return NewRouter(ssm.NewFromConfig(cfg), secretsmanager.NewFromConfig(cfg), specDir)
}

// Router is the Store that dispatches by scheme.
type Router struct {
	ssm   *ssmStore
	sm    *smStore
	files *fileStore
}

// NewRouter builds a Store over the given clients, for tests that stub them.
func NewRouter(ssmClient SSMAPI, smClient SecretsManagerAPI, specDir string) *Router {
	return &Router{
		ssm:   &ssmStore{api: ssmClient},
		sm:    &smStore{api: smClient},
		files: &fileStore{dir: specDir},
	}
}

// backend is one kind of store, addressed by the Name of a Location.
type backend interface {
	get(ctx context.Context, name string) ([]byte, bool, error)
	put(ctx context.Context, name string, value []byte, tags map[string]string) error
	delete(ctx context.Context, name string) error
	tags(ctx context.Context, name string) (map[string]string, bool, error)
	addTags(ctx context.Context, name string, tags map[string]string) error
}

func (r *Router) backend(loc string) (Location, backend, error) {
	l, err := ParseLocation(loc)
	if err != nil {
		return Location{}, nil, err
	}
	switch l.Scheme {
	case SSM:
		return l, r.ssm, nil
	case SecretsManager:
		return l, r.sm, nil
	}
	return l, r.files, nil
}

// ForceDeleteSecrets makes Delete remove Secrets Manager secrets at once
// instead of scheduling them for deletion after RecoveryWindowDays ('apply
// -force-delete-secrets'). SSM parameters and files are always deleted at
// once: neither keeps deleted values.
func (r *Router) ForceDeleteSecrets() { r.sm.forceDelete = true }

// Get implements Store.
func (r *Router) Get(ctx context.Context, loc string) ([]byte, bool, error) {
	l, b, err := r.backend(loc)
	if err != nil {
		return nil, false, err
	}
	v, found, err := b.get(ctx, l.Name)
	if err != nil {
		return nil, false, fmt.Errorf("reading secret %s: %w", l, err)
	}
	return v, found, nil
}

// Put implements Store.
func (r *Router) Put(ctx context.Context, loc string, value []byte, stack string, tags ...Tag) error {
	l, b, err := r.backend(loc)
	if err != nil {
		return err
	}
	if stack == "" {
		return fmt.Errorf("writing secret %s: no stack to mark it with", l)
	}
	all := map[string]string{specs.TagStack: stack}
	for _, t := range tags {
		all[t.Key] = t.Value
	}
	if err := b.put(ctx, l.Name, value, all); err != nil {
		return fmt.Errorf("writing secret %s: %w", l, withheld(err, value))
	}
	return nil
}

// Delete implements Store.
func (r *Router) Delete(ctx context.Context, loc string) error {
	l, b, err := r.backend(loc)
	if err != nil {
		return err
	}
	if err := b.delete(ctx, l.Name); err != nil {
		return fmt.Errorf("deleting secret %s: %w", l, err)
	}
	return nil
}

// Tags implements Store.
func (r *Router) Tags(ctx context.Context, loc string) (map[string]string, bool, error) {
	l, b, err := r.backend(loc)
	if err != nil {
		return nil, false, err
	}
	tags, found, err := b.tags(ctx, l.Name)
	if err != nil {
		return nil, false, fmt.Errorf("reading the tags of secret %s: %w", l, err)
	}
	return tags, found, nil
}

// Adopt implements Store.
func (r *Router) Adopt(ctx context.Context, loc, stack string, tags ...Tag) error {
	l, b, err := r.backend(loc)
	if err != nil {
		return err
	}
	if l.Scheme == File {
		return nil
	}
	have, found, err := b.tags(ctx, l.Name)
	if err != nil {
		return fmt.Errorf("reading the tags of secret %s: %w", l, err)
	}
	if !found {
		return fmt.Errorf("adopting secret %s: there is no secret there", l)
	}
	if owner := have[specs.TagStack]; owner != "" && owner != stack {
		return fmt.Errorf("adopting secret %s: %w", l, ErrNotOwned)
	}
	all := map[string]string{specs.TagStack: stack}
	for _, t := range tags {
		all[t.Key] = t.Value
	}
	if hasTags(have, all) {
		return nil
	}
	if err := b.addTags(ctx, l.Name, all); err != nil {
		return fmt.Errorf("tagging secret %s: %w", l, err)
	}
	return nil
}

// List implements Store.
func (r *Router) List(ctx context.Context, stack, kind string) ([]Entry, error) {
	want := map[string]string{specs.TagStack: stack}
	if kind != "" {
		want[TagKind] = kind
	}
	fromSSM, err := r.ssm.list(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("listing the SSM parameters of stack %s: %w", stack, err)
	}
	fromSM, err := r.sm.list(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("listing the Secrets Manager secrets of stack %s: %w", stack, err)
	}
	out := append(fromSSM, fromSM...)
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Location.String(), b.Location.String()) })
	return out, nil
}

// hasTags reports whether have holds every tag of want.
func hasTags(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

// Owned reports whether tags carry the mark of stack.
func Owned(tags map[string]string, stack string) bool {
	return stack != "" && tags[specs.TagStack] == stack
}
