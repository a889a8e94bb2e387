package sesdouble

import (
	"context"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
)

var configSetNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// eventTypes are the MatchingEventTypes SES accepts.
var eventTypes = map[string]bool{
	"SEND": true, "REJECT": true, "BOUNCE": true, "COMPLAINT": true, "DELIVERY": true, "OPEN": true,
	"CLICK": true, "RENDERING_FAILURE": true, "DELIVERY_DELAY": true, "SUBSCRIPTION": true,
}

// maxEventDestinations is SES's per-set limit (not adjustable).
const maxEventDestinations = 10

type configSetIn struct {
	ConfigurationSetName string                          `json:"ConfigurationSetName"`
	TrackingOptions      json.RawMessage                 `json:"TrackingOptions"`
	DeliveryOptions      *deliveryOptions                `json:"DeliveryOptions"`
	ReputationOptions    *reputationOptions              `json:"ReputationOptions"`
	SendingOptions       *struct{ SendingEnabled *bool } `json:"SendingOptions"`
	Tags                 []tag                           `json:"Tags"`
	SuppressionOptions   *suppressionOptions             `json:"SuppressionOptions"`
	VdmOptions           json.RawMessage                 `json:"VdmOptions"`
	ArchivingOptions     json.RawMessage                 `json:"ArchivingOptions"`
}

func validSuppressionReasons(reasons []string) *apiError {
	for _, r := range reasons {
		if r != "BOUNCE" && r != "COMPLAINT" {
			return errorf(codeBadRequest, "Invalid suppression reason %q: allowed values are BOUNCE and COMPLAINT.", r)
		}
	}
	return nil
}

func validDelivery(o *deliveryOptions) *apiError {
	if o == nil {
		return nil
	}
	if o.TlsPolicy != "" && o.TlsPolicy != "REQUIRE" && o.TlsPolicy != "OPTIONAL" {
		return errorf(codeBadRequest, "Invalid TlsPolicy %q: allowed values are REQUIRE and OPTIONAL.", o.TlsPolicy)
	}
	if o.MaxDeliverySeconds != nil && (*o.MaxDeliverySeconds < 300 || *o.MaxDeliverySeconds > 50400) {
		return errorf(codeBadRequest, "MaxDeliverySeconds must be between 300 and 50400.")
	}
	return nil
}

func (d *Double) createConfigurationSet(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req configSetIn
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	name := req.ConfigurationSetName
	if !configSetNamePattern.MatchString(name) {
		return nil, errorf(codeBadRequest, "Invalid configuration set name <%s>: the name can contain up to 64 letters, numbers, hyphens and underscores.", name)
	}
	if rs.configSets[name] != nil {
		return nil, errorf(codeAlreadyExists, "Configuration set <%s> already exists.", name)
	}
	if e := validateTags(req.Tags); e != nil {
		return nil, e
	}
	if e := validDelivery(req.DeliveryOptions); e != nil {
		return nil, e
	}
	cs := &configSet{name: name, createdAt: d.now(), sendingEnabled: true,
		tracking: req.TrackingOptions, vdm: req.VdmOptions, archiving: req.ArchivingOptions,
		delivery: req.DeliveryOptions}
	if req.ReputationOptions != nil {
		cs.reputation = *req.ReputationOptions
	}
	if req.SendingOptions != nil {
		// The SDK leaves a false boolean out of the body: absent means false.
		cs.sendingEnabled = req.SendingOptions.SendingEnabled != nil && *req.SendingOptions.SendingEnabled
	}
	if req.SuppressionOptions != nil {
		if e := validSuppressionReasons(req.SuppressionOptions.SuppressedReasons); e != nil {
			return nil, e
		}
		cs.suppression = req.SuppressionOptions
	}
	for _, t := range req.Tags {
		cs.tags.set(t.Key, t.Value)
	}
	rs.configSets[name] = cs
	return nil, nil
}

func (rs *regionState) configSet(name string) (*configSet, *apiError) {
	cs := rs.configSets[name]
	if cs == nil {
		return nil, &apiError{code: codeNotFound, v1Code: "ConfigurationSetDoesNotExist",
			message: "Configuration set <" + name + "> does not exist."}
	}
	return cs, nil
}

func (d *Double) getConfigurationSet(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	cs, e := rs.configSet(in.labels["ConfigurationSetName"])
	if e != nil {
		return nil, e
	}
	out := map[string]any{
		"ConfigurationSetName": cs.name,
		"ReputationOptions":    cs.reputation,
		"SendingOptions":       map[string]bool{"SendingEnabled": cs.sendingEnabled},
		"Tags":                 nonNilTags(cs.tags),
	}
	if cs.delivery != nil {
		out["DeliveryOptions"] = cs.delivery
	}
	if cs.suppression != nil {
		out["SuppressionOptions"] = cs.suppression
	}
	for k, v := range map[string]json.RawMessage{"TrackingOptions": cs.tracking, "VdmOptions": cs.vdm, "ArchivingOptions": cs.archiving} {
		if len(v) > 0 && string(v) != "null" {
			out[k] = v
		}
	}
	return out, nil
}

func (d *Double) listConfigurationSets(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	offset, size, e := listPage(in, 100, 1000)
	if e != nil {
		return nil, e
	}
	names, next := page(slices.Sorted(maps.Keys(rs.configSets)), offset, size)
	out := map[string]any{"ConfigurationSets": append([]string{}, names...)}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

func (d *Double) deleteConfigurationSet(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	name := in.labels["ConfigurationSetName"]
	if _, e := rs.configSet(name); e != nil {
		return nil, e
	}
	delete(rs.configSets, name)
	return nil, nil
}

func (d *Double) putConfigSetSuppression(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req suppressionOptions
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	cs, e := rs.configSet(in.labels["ConfigurationSetName"])
	if e != nil {
		return nil, e
	}
	if e := validSuppressionReasons(req.SuppressedReasons); e != nil {
		return nil, e
	}
	if req.SuppressedReasons == nil {
		req.SuppressedReasons = []string{}
	}
	cs.suppression = &req
	return nil, nil
}

func (d *Double) putConfigSetReputation(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		ReputationMetricsEnabled bool `json:"ReputationMetricsEnabled"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	cs, e := rs.configSet(in.labels["ConfigurationSetName"])
	if e != nil {
		return nil, e
	}
	cs.reputation.ReputationMetricsEnabled = req.ReputationMetricsEnabled
	return nil, nil
}

func (d *Double) putConfigSetDelivery(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req deliveryOptions
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	cs, e := rs.configSet(in.labels["ConfigurationSetName"])
	if e != nil {
		return nil, e
	}
	if e := validDelivery(&req); e != nil {
		return nil, e
	}
	cs.delivery = &req
	return nil, nil
}

func (d *Double) putConfigSetSending(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		SendingEnabled bool `json:"SendingEnabled"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	cs, e := rs.configSet(in.labels["ConfigurationSetName"])
	if e != nil {
		return nil, e
	}
	cs.sendingEnabled = req.SendingEnabled
	return nil, nil
}

// validEventDestination checks a destination definition as SES does; the
// SNS topic must exist.
func (d *Double) validEventDestination(ctx context.Context, ed *eventDestination) *apiError {
	if len(ed.MatchingEventTypes) == 0 {
		return errorf(codeBadRequest, "MatchingEventTypes must contain at least one event type.")
	}
	for _, t := range ed.MatchingEventTypes {
		if !eventTypes[t] {
			return errorf(codeBadRequest, "Invalid event type %q: allowed values are SEND, REJECT, BOUNCE, COMPLAINT, DELIVERY, OPEN, CLICK, RENDERING_FAILURE, DELIVERY_DELAY and SUBSCRIPTION.", t)
		}
	}
	n := 0
	for _, raw := range []json.RawMessage{ed.CloudWatchDestination, ed.KinesisFirehoseDestination, ed.EventBridgeDestination, ed.PinpointDestination} {
		if len(raw) > 0 && string(raw) != "null" {
			n++
		}
	}
	if ed.SnsDestination != nil {
		n++
		arn := ed.SnsDestination.TopicArn
		ok, err := d.backend.TopicExists(ctx, arn)
		if err != nil || !ok {
			return errorf(codeBadRequest, "Could not access SNS topic <%s>: the topic does not exist or SES is not allowed to publish to it.", arn)
		}
	}
	if n != 1 {
		return errorf(codeBadRequest, "An event destination must have exactly one destination: SnsDestination, CloudWatchDestination, KinesisFirehoseDestination, EventBridgeDestination or PinpointDestination.")
	}
	return nil
}

type eventDestinationIn struct {
	EventDestinationName string           `json:"EventDestinationName"`
	EventDestination     eventDestination `json:"EventDestination"`
}

func (d *Double) createEventDestination(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req eventDestinationIn
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	cs, e := rs.configSet(in.labels["ConfigurationSetName"])
	if e != nil {
		return nil, e
	}
	if !configSetNamePattern.MatchString(req.EventDestinationName) {
		return nil, errorf(codeBadRequest, "Invalid event destination name <%s>: the name can contain up to 64 letters, numbers, hyphens and underscores.", req.EventDestinationName)
	}
	for _, ed := range cs.eventDestinations {
		if ed.Name == req.EventDestinationName {
			return nil, errorf(codeAlreadyExists, "Event destination <%s> already exists in configuration set <%s>.", ed.Name, cs.name)
		}
	}
	if len(cs.eventDestinations) >= maxEventDestinations {
		return nil, errorf(codeLimitExceeded, "Configuration set <%s> already has %d event destinations, the maximum.", cs.name, maxEventDestinations)
	}
	ed := req.EventDestination
	ed.Name = req.EventDestinationName
	if e := d.validEventDestination(ctx, &ed); e != nil {
		return nil, e
	}
	cs.eventDestinations = append(cs.eventDestinations, &ed)
	return nil, nil
}

func (d *Double) getEventDestinations(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	cs, e := rs.configSet(in.labels["ConfigurationSetName"])
	if e != nil {
		return nil, e
	}
	out := []*eventDestination{}
	out = append(out, cs.eventDestinations...)
	return map[string]any{"EventDestinations": out}, nil
}

func (d *Double) updateEventDestination(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req eventDestinationIn
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	cs, e := rs.configSet(in.labels["ConfigurationSetName"])
	if e != nil {
		return nil, e
	}
	name := in.labels["EventDestinationName"]
	for i, ed := range cs.eventDestinations {
		if ed.Name != name {
			continue
		}
		nd := req.EventDestination
		nd.Name = name
		if e := d.validEventDestination(ctx, &nd); e != nil {
			return nil, e
		}
		cs.eventDestinations[i] = &nd
		return nil, nil
	}
	return nil, errorf(codeNotFound, "Event destination <%s> does not exist in configuration set <%s>.", name, cs.name)
}

func (d *Double) deleteEventDestination(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	cs, e := rs.configSet(in.labels["ConfigurationSetName"])
	if e != nil {
		return nil, e
	}
	name := in.labels["EventDestinationName"]
	for i, ed := range cs.eventDestinations {
		if ed.Name == name {
			cs.eventDestinations = append(cs.eventDestinations[:i], cs.eventDestinations[i+1:]...)
			return nil, nil
		}
	}
	return nil, errorf(codeNotFound, "Event destination <%s> does not exist in configuration set <%s>.", name, cs.name)
}
