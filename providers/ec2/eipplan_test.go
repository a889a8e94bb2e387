package ec2

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestPlanEIP(t *testing.T) {
	tagged := []types.Tag{
		{Key: aws.String(TagHostname), Value: aws.String("mta1.example.com.")},
		{Key: aws.String(TagName), Value: aws.String("mta1.example.com")},
	}
	for _, tc := range []struct {
		name            string
		kept            types.Address
		instance, iface string
		wantTags        bool
		wantAssociate   *eipAssociation
	}{
		{
			name: "tagged, no association asked: nothing to do",
			kept: types.Address{Tags: tagged, AssociationId: aws.String("eipassoc-1"), InstanceId: aws.String("i-other")},
		},
		{
			name:     "untagged: tag it",
			kept:     types.Address{},
			wantTags: true,
		},
		{
			name:     "the Name tag differs: tag it",
			kept:     types.Address{Tags: []types.Tag{tagged[0], {Key: aws.String(TagName), Value: aws.String("old")}}},
			wantTags: true,
		},
		{
			name:          "unassociated, an instance asked: associate",
			kept:          types.Address{Tags: tagged},
			instance:      "i-1",
			wantAssociate: &eipAssociation{instanceID: "i-1"},
		},
		{
			name:          "associated elsewhere, an instance asked: move",
			kept:          types.Address{Tags: tagged, AssociationId: aws.String("eipassoc-1"), InstanceId: aws.String("i-2")},
			instance:      "i-1",
			wantAssociate: &eipAssociation{instanceID: "i-1", moving: true},
		},
		{
			name:     "already with the instance",
			kept:     types.Address{Tags: tagged, AssociationId: aws.String("eipassoc-1"), InstanceId: aws.String("i-1")},
			instance: "i-1",
		},
		{
			name:          "an interface asked: the interface wins over the instance",
			kept:          types.Address{Tags: tagged, AssociationId: aws.String("eipassoc-1"), InstanceId: aws.String("i-1")},
			instance:      "i-1",
			iface:         "eni-1",
			wantAssociate: &eipAssociation{interfaceID: "eni-1", moving: true},
		},
		{
			name:     "already with the interface: the instance asked beside it changes nothing",
			kept:     types.Address{Tags: tagged, AssociationId: aws.String("eipassoc-1"), NetworkInterfaceId: aws.String("eni-1"), InstanceId: aws.String("i-9")},
			instance: "i-1",
			iface:    "eni-1",
		},
		{
			name:  "already with the interface",
			kept:  types.Address{Tags: tagged, AssociationId: aws.String("eipassoc-1"), NetworkInterfaceId: aws.String("eni-1"), InstanceId: aws.String("i-9")},
			iface: "eni-1",
		},
	} {
		got := planEIP(tc.kept, "mta1.example.com.", tc.instance, tc.iface)
		if (got.tags != nil) != tc.wantTags {
			t.Errorf("%s: tags %v, want tagging %v", tc.name, got.tags, tc.wantTags)
		}
		if got.tags != nil && (tag(got.tags, TagHostname) != "mta1.example.com." || tag(got.tags, TagName) != "mta1.example.com") {
			t.Errorf("%s: tags %v", tc.name, got.tags)
		}
		if !reflect.DeepEqual(got.associate, tc.wantAssociate) {
			t.Errorf("%s: associate %+v, want %+v", tc.name, got.associate, tc.wantAssociate)
		}
	}
}

func TestEIPAssociationSetsOneTarget(t *testing.T) {
	a := eipAssociation{interfaceID: "eni-1"}
	if a.instance() != nil || aws.ToString(a.networkInterface()) != "eni-1" || a.target() != "network interface eni-1" {
		t.Errorf("interface association: instance %v, interface %v, target %q", a.instance(), a.networkInterface(), a.target())
	}
	a = eipAssociation{instanceID: "i-1"}
	if a.networkInterface() != nil || aws.ToString(a.instance()) != "i-1" || a.target() != "instance i-1" {
		t.Errorf("instance association: instance %v, interface %v, target %q", a.instance(), a.networkInterface(), a.target())
	}
}
