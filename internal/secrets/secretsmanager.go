package secrets

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/specs"
)

// smStore keeps secrets in Secrets Manager, as SecretString when the value is
// text (SMTP credentials JSON, PEM keys) and SecretBinary otherwise.
type smStore struct {
	api SecretsManagerAPI
	// holdWait bounds the wait for a name held after a force delete
	// (0: DefaultNameHoldWait); holdPoll is the first pause (0: 1s).
	holdWait, holdPoll time.Duration
	// forceDelete deletes at once, without a recovery window
	// (Router.ForceDeleteSecrets).
	forceDelete bool
}

// RecoveryWindowDays is how long a Secrets Manager secret mailform deletes
// stays restorable ('aws secretsmanager restore-secret'): AWS's default and
// longest window.
const RecoveryWindowDays = 30

func (s *smStore) get(ctx context.Context, name string) ([]byte, bool, error) {
	out, err := s.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if isSMNotFound(err) {
		return nil, false, nil
	}
	var invalid *smtypes.InvalidRequestException
	if errors.As(err, &invalid) {
		// A secret scheduled for deletion cannot be read: it is gone for us.
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if out.SecretString != nil {
		return []byte(aws.ToString(out.SecretString)), true, nil
	}
	return out.SecretBinary, out.SecretBinary != nil, nil
}

// put creates the secret with its tags in one call; when it exists and
// carries the stack's mark it puts a new version (restoring it first if it
// was scheduled for deletion). A name whose secret was force-deleted a
// moment ago stays taken until Secrets Manager's background deletion ends
// ("use appropriate back off and retry logic", DeleteSecret's reference):
// put retries for up to s.holdWait, reporting progress (WithProgress).
func (s *smStore) put(ctx context.Context, name string, value []byte, tags map[string]string) error {
	in := &secretsmanager.CreateSecretInput{Name: aws.String(name), Tags: smTags(tags)}
	if utf8.Valid(value) {
		in.SecretString = aws.String(string(value))
	} else {
		in.SecretBinary = value
	}
	wait, pause := s.holdWait, s.holdPoll
	if wait == 0 {
		wait = DefaultNameHoldWait
	}
	if pause <= 0 {
		pause = time.Second
	}
	start := time.Now()
	for {
		_, err := s.api.CreateSecret(ctx, in)
		var exists *smtypes.ResourceExistsException
		var invalid *smtypes.InvalidRequestException
		switch {
		case err == nil:
			return nil
		case errors.As(err, &exists):
			return s.overwrite(ctx, name, in, tags)
		case !errors.As(err, &invalid):
			return err
		}
		// InvalidRequestException: AWS's answer for a name scheduled for
		// deletion, in its recovery window (DescribeSecret shows a
		// DeletedDate) or force-deleted and not yet purged (not found).
		_, derr := s.api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		switch {
		case derr == nil:
			return s.overwrite(ctx, name, in, tags)
		case !isSMNotFound(derr):
			return err
		}
		waited := time.Since(start)
		if waited+pause > wait {
			return fmt.Errorf("the name is still held by a secret deleted moments ago (Secrets Manager deletes in the background), after %s: %w", waited.Round(time.Second), err)
		}
		report(ctx, fmt.Sprintf("waiting for Secrets Manager to release the name %s of a secret deleted moments ago (%s so far, up to %s)", name, waited.Round(time.Second), wait))
		if err := awscfg.Sleep(ctx, pause); err != nil {
			return err
		}
		if pause < 8*s.holdPoll {
			pause *= 2
		}
	}
}

// DefaultNameHoldWait bounds how long a write waits for Secrets Manager to
// release the name of a secret deleted moments ago.
const DefaultNameHoldWait = 2 * time.Minute

// overwrite puts a new version of the existing secret name, if it carries
// the stack's mark, restoring it first if it is scheduled for deletion.
func (s *smStore) overwrite(ctx context.Context, name string, in *secretsmanager.CreateSecretInput, tags map[string]string) error {
	desc, err := s.api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		return err
	}
	have := smTagMap(desc.Tags)
	if !hasTags(have, map[string]string{specs.TagStack: tags[specs.TagStack]}) {
		return ErrNotOwned
	}
	if desc.DeletedDate != nil {
		if _, err := s.api.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(name)}); err != nil {
			return err
		}
	}
	pv := &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: in.SecretString, SecretBinary: in.SecretBinary}
	if _, err := s.api.PutSecretValue(ctx, pv); err != nil {
		return err
	}
	if hasTags(have, tags) {
		return nil
	}
	return s.addTags(ctx, name, tags)
}

func (s *smStore) addTags(ctx context.Context, name string, tags map[string]string) error {
	_, err := s.api.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String(name), Tags: smTags(tags)})
	return err
}

// delete schedules the secret for deletion after RecoveryWindowDays, during
// which it can be restored (and a later run that writes the same name
// restores it, put); with forceDelete it is deleted at once.
func (s *smStore) delete(ctx context.Context, name string) error {
	in := &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(RecoveryWindowDays)}
	if s.forceDelete {
		in.RecoveryWindowInDays = nil
		in.ForceDeleteWithoutRecovery = aws.Bool(true)
	}
	_, err := s.api.DeleteSecret(ctx, in)
	if isSMNotFound(err) {
		return nil
	}
	var invalid *smtypes.InvalidRequestException
	if errors.As(err, &invalid) {
		// A secret already scheduled for deletion is deleted as far as
		// mailform is concerned.
		if desc, derr := s.api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)}); derr == nil && desc.DeletedDate != nil {
			return nil
		}
	}
	return err
}

func (s *smStore) tags(ctx context.Context, name string) (map[string]string, bool, error) {
	desc, err := s.api.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if isSMNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if desc.DeletedDate != nil {
		return smTagMap(desc.Tags), false, nil
	}
	return smTagMap(desc.Tags), true, nil
}

// list finds the secrets carrying every tag of want. ListSecrets filters by
// tag key and tag value separately and returns the tags, so one paginated
// call suffices; the exact match is checked here.
func (s *smStore) list(ctx context.Context, want map[string]string) ([]Entry, error) {
	keys := slices.Sorted(maps.Keys(want))
	var values []string
	for _, k := range keys {
		values = append(values, want[k])
	}
	in := &secretsmanager.ListSecretsInput{
		Filters: []smtypes.Filter{
			{Key: smtypes.FilterNameStringTypeTagKey, Values: keys},
			{Key: smtypes.FilterNameStringTypeTagValue, Values: values},
		},
		MaxResults: aws.Int32(100),
	}
	var out []Entry
	p := secretsmanager.NewListSecretsPaginator(s.api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range page.SecretList {
			tags := smTagMap(e.Tags)
			if e.DeletedDate != nil || !hasTags(tags, want) {
				continue
			}
			out = append(out, Entry{Location: Location{Scheme: SecretsManager, Name: aws.ToString(e.Name)}, Tags: tags})
		}
	}
	return out, nil
}

func isSMNotFound(err error) bool {
	var nf *smtypes.ResourceNotFoundException
	return errors.As(err, &nf)
}

func smTags(tags map[string]string) []smtypes.Tag {
	var out []smtypes.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, smtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

func smTagMap(tags []smtypes.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}
