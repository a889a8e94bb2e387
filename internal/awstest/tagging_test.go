package awstest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

// TestTaggingGetResourcesForSES drives the double's GetResources with the
// SDK's client (Smithy RPC v2 CBOR): filters, short pages, an invalid page
// size, and an injected throttle that the SDK retries.
func TestTaggingGetResourcesForSES(t *testing.T) {
	s := Shared(t)
	const region = "ap-southeast-2"
	cfg := s.Config(region)
	ses := sesv2.NewFromConfig(cfg)
	for i := range 30 {
		stack := "acme-prod"
		if i%3 == 0 {
			stack = "acme-prod-2"
		}
		in := &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(fmt.Sprintf("t%02d.example", i)),
			Tags: []sestypes.Tag{{Key: aws.String("mailform:stack"), Value: aws.String(stack)}}}
		if i == 29 {
			in.Tags = nil // untagged: never returned
		}
		if _, err := ses.CreateEmailIdentity(t.Context(), in); err != nil {
			t.Fatal(err)
		}
	}
	tagging := resourcegroupstaggingapi.NewFromConfig(cfg)
	input := func(per int32) *resourcegroupstaggingapi.GetResourcesInput {
		return &resourcegroupstaggingapi.GetResourcesInput{
			ResourceTypeFilters: []string{"ses:identity"},
			TagFilters:          []taggingtypes.TagFilter{{Key: aws.String("mailform:stack"), Values: []string{"acme-prod"}}},
			ResourcesPerPage:    aws.Int32(per),
		}
	}

	if err := s.Configure(func(o *Options) { o.Faults = "tagging:GetResources=throttle#1" }); err != nil {
		t.Fatal(err)
	}
	defer s.Configure(func(o *Options) { o.Faults = "" })
	var arns []string
	pages := 0
	p := resourcegroupstaggingapi.NewGetResourcesPaginator(tagging, input(10))
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		if len(page.ResourceTagMappingList) > 5 {
			t.Errorf("page of %d for ResourcesPerPage 10: the double answers at most half", len(page.ResourceTagMappingList))
		}
		for _, m := range page.ResourceTagMappingList {
			arns = append(arns, aws.ToString(m.ResourceARN))
			if len(m.Tags) != 1 || aws.ToString(m.Tags[0].Value) != "acme-prod" {
				t.Errorf("%s tags %+v", aws.ToString(m.ResourceARN), m.Tags)
			}
		}
	}
	if len(arns) != 19 || pages != 4 {
		t.Errorf("%d resources in %d pages, want the 19 of acme-prod in 4", len(arns), pages)
	}
	if want := "arn:aws:ses:" + region + ":" + AccountID + ":identity/t01.example"; arns[0] != want {
		t.Errorf("first ARN %q, want %q", arns[0], want)
	}
	if n := s.Counts()["tagging"]["GetResources"]; n < 5 {
		t.Errorf("%d GetResources counted, want the 4 pages and the throttled try", n)
	}

	_, err := tagging.GetResources(t.Context(), input(101))
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidParameterException" {
		t.Errorf("ResourcesPerPage 101: %v, want InvalidParameterException", err)
	}
}
