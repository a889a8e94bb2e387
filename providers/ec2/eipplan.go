package ec2

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// eipSteps is what convergeEIP does to the Elastic IP it keeps.
type eipSteps struct {
	// tags are the hostname tags to set; nil when the address has them.
	tags []types.Tag
	// associate is the association to make; nil leaves the address's
	// association as it is.
	associate *eipAssociation
}

// eipAssociation associates an address with an instance or, when
// interfaceID is set, with a network interface.
type eipAssociation struct {
	instanceID  string
	interfaceID string
	// moving: the address is associated elsewhere and moves in one call
	// (AllowReassociation).
	moving bool
}

// planEIP decides how the kept address comes to carry hostname (fully
// qualified) and the association the spec asks for. Without instanceID or
// interfaceID, mailform leaves the association to whoever made it; with
// both, the interface wins.
func planEIP(kept types.Address, hostname, instanceID, interfaceID string) eipSteps {
	var s eipSteps
	if tag(kept.Tags, TagHostname) != hostname || tag(kept.Tags, TagName) != strings.TrimSuffix(hostname, ".") {
		s.tags = []types.Tag{
			{Key: aws.String(TagHostname), Value: aws.String(hostname)},
			{Key: aws.String(TagName), Value: aws.String(strings.TrimSuffix(hostname, "."))},
		}
	}
	moving := aws.ToString(kept.AssociationId) != ""
	switch {
	case interfaceID != "" && aws.ToString(kept.NetworkInterfaceId) != interfaceID:
		s.associate = &eipAssociation{interfaceID: interfaceID, moving: moving}
	case interfaceID == "" && instanceID != "" && aws.ToString(kept.InstanceId) != instanceID:
		s.associate = &eipAssociation{instanceID: instanceID, moving: moving}
	}
	return s
}

// target names what the address is associated with, as messages say it.
func (a eipAssociation) target() string {
	if a.interfaceID != "" {
		return "network interface " + a.interfaceID
	}
	return "instance " + a.instanceID
}

// instance and networkInterface are the IDs as AssociateAddress takes
// them: nil when not set, as AWS refuses both together.
func (a eipAssociation) instance() *string         { return optional(a.instanceID) }
func (a eipAssociation) networkInterface() *string { return optional(a.interfaceID) }

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
