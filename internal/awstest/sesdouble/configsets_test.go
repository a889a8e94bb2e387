package sesdouble

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"
)

func TestConfigurationSetLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	must[*sesv2.CreateConfigurationSetOutput](t)(e.v2.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{
		ConfigurationSetName: aws.String("acme-prod-default"),
		Tags:                 []types.Tag{{Key: aws.String("mailform:stack"), Value: aws.String("acme-prod")}},
		SuppressionOptions:   &types.SuppressionOptions{SuppressedReasons: []types.SuppressionListReason{types.SuppressionListReasonBounce}},
		ReputationOptions:    &types.ReputationOptions{ReputationMetricsEnabled: true},
		DeliveryOptions:      &types.DeliveryOptions{TlsPolicy: types.TlsPolicyRequire},
	}))
	got := must[*sesv2.GetConfigurationSetOutput](t)(e.v2.GetConfigurationSet(ctx, &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String("acme-prod-default")}))
	if aws.ToString(got.ConfigurationSetName) != "acme-prod-default" || len(got.Tags) != 1 ||
		!cmp.Equal(got.SuppressionOptions.SuppressedReasons, []types.SuppressionListReason{types.SuppressionListReasonBounce}) ||
		!got.ReputationOptions.ReputationMetricsEnabled || got.DeliveryOptions.TlsPolicy != types.TlsPolicyRequire ||
		!got.SendingOptions.SendingEnabled {
		t.Fatalf("%+v", got)
	}

	must[*sesv2.PutConfigurationSetSuppressionOptionsOutput](t)(e.v2.PutConfigurationSetSuppressionOptions(ctx, &sesv2.PutConfigurationSetSuppressionOptionsInput{
		ConfigurationSetName: aws.String("acme-prod-default"),
		SuppressedReasons:    []types.SuppressionListReason{types.SuppressionListReasonBounce, types.SuppressionListReasonComplaint}}))
	must[*sesv2.PutConfigurationSetReputationOptionsOutput](t)(e.v2.PutConfigurationSetReputationOptions(ctx, &sesv2.PutConfigurationSetReputationOptionsInput{
		ConfigurationSetName: aws.String("acme-prod-default"), ReputationMetricsEnabled: false}))
	must[*sesv2.PutConfigurationSetDeliveryOptionsOutput](t)(e.v2.PutConfigurationSetDeliveryOptions(ctx, &sesv2.PutConfigurationSetDeliveryOptionsInput{
		ConfigurationSetName: aws.String("acme-prod-default"), TlsPolicy: types.TlsPolicyOptional}))
	got = must[*sesv2.GetConfigurationSetOutput](t)(e.v2.GetConfigurationSet(ctx, &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String("acme-prod-default")}))
	if len(got.SuppressionOptions.SuppressedReasons) != 2 || got.ReputationOptions.ReputationMetricsEnabled || got.DeliveryOptions.TlsPolicy != types.TlsPolicyOptional {
		t.Fatalf("after Put*: %+v %+v %+v", got.SuppressionOptions, got.ReputationOptions, got.DeliveryOptions)
	}

	errs := []struct {
		name string
		call func() error
		want any
	}{
		{"duplicate", func() error {
			_, err := e.v2.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String("acme-prod-default")})
			return err
		}, &types.AlreadyExistsException{}},
		{"bad name", func() error {
			_, err := e.v2.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String("has space")})
			return err
		}, &types.BadRequestException{}},
		{"bad suppression reason", func() error {
			_, err := e.v2.PutConfigurationSetSuppressionOptions(ctx, &sesv2.PutConfigurationSetSuppressionOptionsInput{
				ConfigurationSetName: aws.String("acme-prod-default"), SuppressedReasons: []types.SuppressionListReason{"SPAM"}})
			return err
		}, &types.BadRequestException{}},
		{"bad TLS policy", func() error {
			_, err := e.v2.PutConfigurationSetDeliveryOptions(ctx, &sesv2.PutConfigurationSetDeliveryOptionsInput{
				ConfigurationSetName: aws.String("acme-prod-default"), TlsPolicy: "ALWAYS"})
			return err
		}, &types.BadRequestException{}},
		{"get missing", func() error {
			_, err := e.v2.GetConfigurationSet(ctx, &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String("nope")})
			return err
		}, &types.NotFoundException{}},
		{"put on missing", func() error {
			_, err := e.v2.PutConfigurationSetReputationOptions(ctx, &sesv2.PutConfigurationSetReputationOptionsInput{ConfigurationSetName: aws.String("nope")})
			return err
		}, &types.NotFoundException{}},
		{"delete missing", func() error {
			_, err := e.v2.DeleteConfigurationSet(ctx, &sesv2.DeleteConfigurationSetInput{ConfigurationSetName: aws.String("nope")})
			return err
		}, &types.NotFoundException{}},
	}
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			switch c.want.(type) {
			case *types.AlreadyExistsException:
				var x *types.AlreadyExistsException
				if !errors.As(err, &x) {
					t.Fatalf("want AlreadyExistsException, got %v", err)
				}
			case *types.BadRequestException:
				var x *types.BadRequestException
				if !errors.As(err, &x) {
					t.Fatalf("want BadRequestException, got %v", err)
				}
			case *types.NotFoundException:
				var x *types.NotFoundException
				if !errors.As(err, &x) {
					t.Fatalf("want NotFoundException, got %v", err)
				}
			}
		})
	}

	must[*sesv2.DeleteConfigurationSetOutput](t)(e.v2.DeleteConfigurationSet(ctx, &sesv2.DeleteConfigurationSetInput{ConfigurationSetName: aws.String("acme-prod-default")}))
	_, err := e.v2.GetConfigurationSet(ctx, &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String("acme-prod-default")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("deleted set still there: %v", err)
	}
}

func TestListConfigurationSetsPaginates(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("set-%d", i)
		want = append(want, name)
		must[*sesv2.CreateConfigurationSetOutput](t)(e.v2.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String(name)}))
	}
	var got []string
	pages := 0
	p := sesv2.NewListConfigurationSetsPaginator(e.v2, &sesv2.ListConfigurationSetsInput{PageSize: aws.Int32(3)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, out.ConfigurationSets...)
	}
	if pages != 3 || !cmp.Equal(got, want) {
		t.Fatalf("%d pages: %v", pages, got)
	}
}

func TestEventDestinations(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	topic := e.be.addTopic("feedback")
	must[*sesv2.CreateConfigurationSetOutput](t)(e.v2.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String("set")}))
	create := func(name string, def types.EventDestinationDefinition) error {
		_, err := e.v2.CreateConfigurationSetEventDestination(ctx, &sesv2.CreateConfigurationSetEventDestinationInput{
			ConfigurationSetName: aws.String("set"), EventDestinationName: aws.String(name), EventDestination: &def})
		return err
	}
	sns := func(arn string, typesList ...types.EventType) types.EventDestinationDefinition {
		return types.EventDestinationDefinition{Enabled: true, MatchingEventTypes: typesList, SnsDestination: &types.SnsDestination{TopicArn: aws.String(arn)}}
	}
	if err := create("feedback", sns(topic, types.EventTypeBounce, types.EventTypeComplaint)); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name string
		dest string
		def  types.EventDestinationDefinition
	}{
		{"unknown topic", "d1", sns("arn:aws:sns:us-west-2:123456789012:missing", types.EventTypeBounce)},
		{"no event types", "d2", sns(topic)},
		{"unknown event type", "d3", sns(topic, "BOUNCED")},
		{"no destination", "d4", types.EventDestinationDefinition{MatchingEventTypes: []types.EventType{types.EventTypeSend}}},
		{"bad name", "has space", sns(topic, types.EventTypeBounce)},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			var br *types.BadRequestException
			if err := create(c.dest, c.def); !errors.As(err, &br) {
				t.Fatalf("want BadRequestException, got %v", err)
			}
		})
	}
	var exists *types.AlreadyExistsException
	if err := create("feedback", sns(topic, types.EventTypeSend)); !errors.As(err, &exists) {
		t.Fatalf("duplicate: %v", err)
	}

	for i := 2; i <= 10; i++ {
		if err := create(fmt.Sprintf("d-%d", i), sns(topic, types.EventTypeSend)); err != nil {
			t.Fatalf("destination %d: %v", i, err)
		}
	}
	var limit *types.LimitExceededException
	if err := create("d-11", sns(topic, types.EventTypeSend)); !errors.As(err, &limit) {
		t.Fatalf("11th destination: want LimitExceededException, got %v", err)
	}

	must[*sesv2.UpdateConfigurationSetEventDestinationOutput](t)(e.v2.UpdateConfigurationSetEventDestination(ctx, &sesv2.UpdateConfigurationSetEventDestinationInput{
		ConfigurationSetName: aws.String("set"), EventDestinationName: aws.String("feedback"),
		EventDestination: &types.EventDestinationDefinition{Enabled: false, MatchingEventTypes: []types.EventType{types.EventTypeDelivery},
			SnsDestination: &types.SnsDestination{TopicArn: aws.String(topic)}}}))
	out := must[*sesv2.GetConfigurationSetEventDestinationsOutput](t)(e.v2.GetConfigurationSetEventDestinations(ctx, &sesv2.GetConfigurationSetEventDestinationsInput{ConfigurationSetName: aws.String("set")}))
	if len(out.EventDestinations) != 10 {
		t.Fatalf("%d destinations", len(out.EventDestinations))
	}
	first := out.EventDestinations[0]
	if aws.ToString(first.Name) != "feedback" || first.Enabled || !cmp.Equal(first.MatchingEventTypes, []types.EventType{types.EventTypeDelivery}) ||
		aws.ToString(first.SnsDestination.TopicArn) != topic {
		t.Fatalf("updated destination: %+v", first)
	}

	must[*sesv2.DeleteConfigurationSetEventDestinationOutput](t)(e.v2.DeleteConfigurationSetEventDestination(ctx, &sesv2.DeleteConfigurationSetEventDestinationInput{
		ConfigurationSetName: aws.String("set"), EventDestinationName: aws.String("feedback")}))
	var nf *types.NotFoundException
	_, err := e.v2.DeleteConfigurationSetEventDestination(ctx, &sesv2.DeleteConfigurationSetEventDestinationInput{
		ConfigurationSetName: aws.String("set"), EventDestinationName: aws.String("feedback")})
	if !errors.As(err, &nf) {
		t.Fatalf("delete twice: %v", err)
	}
	_, err = e.v2.UpdateConfigurationSetEventDestination(ctx, &sesv2.UpdateConfigurationSetEventDestinationInput{
		ConfigurationSetName: aws.String("set"), EventDestinationName: aws.String("feedback"), EventDestination: &types.EventDestinationDefinition{}})
	if !errors.As(err, &nf) {
		t.Fatalf("update missing: %v", err)
	}
	_, err = e.v2.GetConfigurationSetEventDestinations(ctx, &sesv2.GetConfigurationSetEventDestinationsInput{ConfigurationSetName: aws.String("nope")})
	if !errors.As(err, &nf) {
		t.Fatalf("destinations of a missing set: %v", err)
	}
}
