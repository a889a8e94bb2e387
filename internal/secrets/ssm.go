package secrets

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/mailform/mailform/specs"
)

// ssmStore keeps secrets as SSM SecureString parameters (default KMS key).
type ssmStore struct {
	api SSMAPI
}

func (s *ssmStore) get(ctx context.Context, name string) ([]byte, bool, error) {
	out, err := s.api.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	var nf *ssmtypes.ParameterNotFound
	if errors.As(err, &nf) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return nil, false, nil
	}
	return []byte(aws.ToString(out.Parameter.Value)), true, nil
}

// put creates the parameter with its tags in one call. When it exists it is
// overwritten only if it carries the stack's mark: PutParameter cannot take
// Tags together with Overwrite, so the tags are then added separately.
func (s *ssmStore) put(ctx context.Context, name string, value []byte, tags map[string]string) error {
	_, err := s.api.PutParameter(ctx, &ssm.PutParameterInput{
		Name:  aws.String(name),
		Value: aws.String(string(value)),
		Type:  ssmtypes.ParameterTypeSecureString,
		Tags:  ssmTags(tags),
	})
	var exists *ssmtypes.ParameterAlreadyExists
	if !errors.As(err, &exists) {
		return err
	}
	have, found, err := s.tags(ctx, name)
	if err != nil {
		return err
	}
	if found && !hasTags(have, map[string]string{specs.TagStack: tags[specs.TagStack]}) {
		return ErrNotOwned
	}
	if _, err := s.api.PutParameter(ctx, &ssm.PutParameterInput{
		Name:      aws.String(name),
		Value:     aws.String(string(value)),
		Type:      ssmtypes.ParameterTypeSecureString,
		Overwrite: aws.Bool(true),
	}); err != nil {
		return err
	}
	if hasTags(have, tags) {
		return nil
	}
	return s.addTags(ctx, name, tags)
}

func (s *ssmStore) addTags(ctx context.Context, name string, tags map[string]string) error {
	_, err := s.api.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{
		ResourceType: ssmtypes.ResourceTypeForTaggingParameter,
		ResourceId:   aws.String(name),
		Tags:         ssmTags(tags),
	})
	return err
}

func (s *ssmStore) delete(ctx context.Context, name string) error {
	_, err := s.api.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(name)})
	var nf *ssmtypes.ParameterNotFound
	if errors.As(err, &nf) {
		return nil
	}
	return err
}

func (s *ssmStore) tags(ctx context.Context, name string) (map[string]string, bool, error) {
	out, err := s.api.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{
		ResourceType: ssmtypes.ResourceTypeForTaggingParameter,
		ResourceId:   aws.String(name),
	})
	var invalid *ssmtypes.InvalidResourceId
	var nf *ssmtypes.ParameterNotFound
	if errors.As(err, &invalid) || errors.As(err, &nf) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	tags := make(map[string]string, len(out.TagList))
	for _, t := range out.TagList {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, true, nil
}

// list finds the parameters carrying every tag of want with one paginated
// DescribeParameters, then reads each one's full tags.
func (s *ssmStore) list(ctx context.Context, want map[string]string) ([]Entry, error) {
	var filters []ssmtypes.ParameterStringFilter
	for _, k := range slices.Sorted(maps.Keys(want)) {
		filters = append(filters, ssmtypes.ParameterStringFilter{
			Key:    aws.String("tag:" + k),
			Option: aws.String("Equals"),
			Values: []string{want[k]},
		})
	}
	var out []Entry
	p := ssm.NewDescribeParametersPaginator(s.api, &ssm.DescribeParametersInput{ParameterFilters: filters, MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range page.Parameters {
			name := aws.ToString(m.Name)
			tags, found, err := s.tags(ctx, name)
			if err != nil {
				return nil, fmt.Errorf("reading the tags of ssm:%s: %w", name, err)
			}
			if !found || !hasTags(tags, want) {
				continue
			}
			out = append(out, Entry{Location: Location{Scheme: SSM, Name: name}, Tags: tags})
		}
	}
	return out, nil
}

func ssmTags(tags map[string]string) []ssmtypes.Tag {
	var out []ssmtypes.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, ssmtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}
