package ses

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	sesv1types "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// keyChangeWindow is how often SES lets an identity change its DKIM key length.
const keyChangeWindow = 24 * time.Hour

func (p *Provider) applyIdentity(ctx context.Context, req providers.ApplyRequest, c plan.Change) providers.Result {
	switch c.Action {
	case plan.Create:
		return p.createIdentity(ctx, req, c)
	case plan.Update:
		return p.updateIdentity(ctx, req, c)
	case plan.Replace:
		old := c.ID
		if old == "" {
			old = attrs(c.Before).str("identity")
		}
		if old != "" {
			if _, err := p.deleteIdentity(ctx, req.Stack, c.Addr, old); err != nil {
				return providers.Result{Addr: c.Addr, Err: err}
			}
		}
		return p.createIdentity(ctx, req, c)
	case plan.Delete:
		name := c.ID
		if name == "" {
			name = attrs(c.Before).str("identity")
		}
		msg, err := p.deleteIdentity(ctx, req.Stack, c.Addr, name)
		return providers.Result{Addr: c.Addr, Err: err, Message: msg}
	}
	return providers.Result{Addr: c.Addr, Err: fmt.Errorf("the SES provider cannot %s an identity", c.Action)}
}

// createIdentity creates an identity with its tags, default configuration set
// and DKIM settings in one call, then sets what CreateEmailIdentity cannot:
// DKIM off, MAIL FROM, notification topics and forwarding. An identity that
// exists already is taken on only when it carries this stack's mark (an
// earlier run created it and was stopped).
func (p *Provider) createIdentity(ctx context.Context, req providers.ApplyRequest, c plan.Change) providers.Result {
	want, err := parseDesired(c.Addr, c.After)
	if err != nil {
		return providers.Result{Addr: c.Addr, Err: err}
	}
	in := &sesv2.CreateEmailIdentityInput{
		EmailIdentity: aws.String(want.Name),
		Tags:          want.tags(req.Stack, c.Addr),
	}
	if want.ConfigSet != "" {
		in.ConfigurationSetName = aws.String(want.ConfigSet)
	}
	if want.isDomain() {
		switch want.DkimOrigin {
		case string(types.DkimSigningAttributesOriginExternal):
			key, err := p.byodkimKey(ctx, c.Addr, want.DkimKeySource)
			if err != nil {
				return providers.Result{Addr: c.Addr, Err: err}
			}
			in.DkimSigningAttributes = &types.DkimSigningAttributes{
				DomainSigningSelector:   aws.String(want.DkimSelector),
				DomainSigningPrivateKey: aws.String(key),
			}
		default:
			if want.DkimKeyLength != 0 {
				l, _ := keyLengthEnum(want.DkimKeyLength) // checked by parseDesired
				in.DkimSigningAttributes = &types.DkimSigningAttributes{NextSigningKeyLength: l}
			}
		}
	}

	// What CreateEmailIdentity sets is recorded with it (TagSettings), so
	// that a plan need not describe the identity to see it.
	in.Tags = append(in.Tags, settingsTag(createdState(want, in, &sesv2.CreateEmailIdentityOutput{})))

	req.Report(c.Addr, "creating SES identity "+want.Name)
	out, err := p.v2.CreateEmailIdentity(ctx, in)
	if in.DkimSigningAttributes != nil {
		err = scrubSecret(err, aws.ToString(in.DkimSigningAttributes.DomainSigningPrivateKey))
		in.DkimSigningAttributes.DomainSigningPrivateKey = nil
	}
	var cur identityState
	var notes []string
	switch {
	case isAlreadyExists(err):
		existing, found, derr := p.describeIdentity(ctx, want.Name, true)
		if derr != nil {
			return providers.Result{Addr: c.Addr, Err: awsError("reading the existing SES identity "+want.Name, derr)}
		}
		if !found {
			return providers.Result{Addr: c.Addr, Err: awsError("creating SES identity "+want.Name, err)}
		}
		if owner := existing.Tags[specs.TagStack]; owner != req.Stack || req.Stack == "" {
			return providers.Result{Addr: c.Addr, Err: notOwnedError(c.Addr, "identity "+want.Name, req.Stack, owner)}
		}
		cur = existing
		notes = append(notes, "took on the identity an earlier run created")
		if err := p.checkKeyLengthChange(c.Addr, cur, want); err != nil {
			return providers.Result{Addr: c.Addr, Err: err}
		}
	case err != nil:
		return providers.Result{Addr: c.Addr, Err: awsError("creating SES identity "+want.Name, err)}
	default:
		cur = createdState(want, in, out)
	}

	if err := p.converge(ctx, req, c.Addr, &cur, want); err != nil {
		return providers.Result{Addr: c.Addr, Err: err, Observed: p.observedIdentity(ctx, c.Addr, cur)}
	}
	if err := p.recordSettings(ctx, &cur); err != nil {
		return providers.Result{Addr: c.Addr, Err: err, Observed: p.observedIdentity(ctx, c.Addr, cur)}
	}
	if !cur.isDomain() {
		notes = append(notes, fmt.Sprintf("SES mailed a verification link to %s; the address can send once someone follows it", want.Name))
	} else if cur.DkimStatus != string(types.DkimStatusSuccess) {
		notes = append(notes, "SES is looking for the DKIM records of "+want.Name)
	}
	return providers.Result{Addr: c.Addr, Observed: p.observedIdentity(ctx, c.Addr, cur), Message: strings.Join(notes, "; ")}
}

// createdState is the identity as CreateEmailIdentity left it.
func createdState(want desiredIdentity, in *sesv2.CreateEmailIdentityInput, out *sesv2.CreateEmailIdentityOutput) identityState {
	s := identityState{
		Name:               want.Name,
		Type:               string(out.IdentityType),
		ConfigSet:          want.ConfigSet,
		NotificationsKnown: true,
		Topics:             map[string]string{},
		Headers:            map[string]bool{},
		Forwarding:         true,
		VerificationStatus: verificationFromBool(out.VerifiedForSendingStatus),
		Tags:               tagMap(in.Tags),
	}
	if s.Type == "" {
		s.Type = want.Type
	}
	if !s.isDomain() {
		return s
	}
	s.DkimSigning = true
	s.DkimOrigin = string(types.DkimSigningAttributesOriginAwsSes)
	s.DkimKeyLength = 2048
	s.setDkim(out.DkimAttributes)
	if out.DkimAttributes == nil {
		s.DkimSigning = true
	}
	if d := in.DkimSigningAttributes; d != nil {
		if d.DomainSigningSelector != nil {
			s.DkimOrigin = string(types.DkimSigningAttributesOriginExternal)
			s.DkimSelector = aws.ToString(d.DomainSigningSelector)
			s.DkimKeySource = want.DkimKeySource
			s.DkimKeyLength = 0
		} else if d.NextSigningKeyLength != "" && s.DkimKeyLength == 0 {
			s.DkimKeyLength = keyLengthBits(d.NextSigningKeyLength)
		}
	}
	s.MailFromOnMx = string(types.BehaviorOnMxFailureUseDefaultValue)
	return s
}

// updateIdentity reads the identity afresh (its tags decide whether mailform
// may touch it; its DKIM key date decides whether the key length may change)
// and makes only the calls for what differs.
func (p *Provider) updateIdentity(ctx context.Context, req providers.ApplyRequest, c plan.Change) providers.Result {
	want, err := parseDesired(c.Addr, c.After)
	if err != nil {
		return providers.Result{Addr: c.Addr, Err: err}
	}
	name := c.ID
	if name == "" {
		name = want.Name
	}
	cur, found, err := p.describeIdentity(ctx, name, want.namesNotifications())
	if err != nil {
		return providers.Result{Addr: c.Addr, Err: awsError("reading SES identity "+name, err)}
	}
	if !found {
		return providers.Result{Addr: c.Addr, Err: fmt.Errorf("SES identity %s no longer exists; run mailform plan again", name)}
	}
	var notes []string
	owner := cur.Tags[specs.TagStack]
	if owner != req.Stack || req.Stack == "" {
		if !c.Adopt || owner != "" || req.Stack == "" {
			return providers.Result{Addr: c.Addr, Err: notOwnedError(c.Addr, "identity "+name, req.Stack, owner)}
		}
	}
	if err := p.checkKeyLengthChange(c.Addr, cur, want); err != nil {
		return providers.Result{Addr: c.Addr, Err: err}
	}
	if owner != req.Stack {
		if err := p.tagIdentity(ctx, name, ownershipTags(req.Stack, c.Addr)); err != nil {
			return providers.Result{Addr: c.Addr, Err: awsError("adding the ownership tags to SES identity "+name, err)}
		}
		for k, v := range tagMap(ownershipTags(req.Stack, c.Addr)) {
			cur.Tags[k] = v
		}
		notes = append(notes, "adopted: tagged "+specs.TagStack+"="+req.Stack)
	}
	if err := p.converge(ctx, req, c.Addr, &cur, want); err != nil {
		return providers.Result{Addr: c.Addr, Err: err, Observed: p.observedIdentity(ctx, c.Addr, cur)}
	}
	if err := p.recordSettings(ctx, &cur); err != nil {
		return providers.Result{Addr: c.Addr, Err: err, Observed: p.observedIdentity(ctx, c.Addr, cur)}
	}
	return providers.Result{Addr: c.Addr, Observed: p.observedIdentity(ctx, c.Addr, cur), Message: strings.Join(notes, "; ")}
}

// namesNotifications reports whether the spec sets anything that only the v1
// notification read shows.
func (d desiredIdentity) namesNotifications() bool {
	for _, k := range []string{"bounce_topic", "complaint_topic", "delivery_topic", "notification_headers"} {
		if d.named[k] {
			return true
		}
	}
	return false
}

// checkKeyLengthChange refuses, before any call, a key-length change that SES
// would refuse: one change per 24 hours (the first downgrade to 1024 bits in
// that window is exempt, so it is left to SES).
func (p *Provider) checkKeyLengthChange(addr string, cur identityState, want desiredIdentity) error {
	if !cur.isDomain() || !want.named["dkim_key_length"] || want.dkimMode() != dkimEasy || cur.dkimMode() == dkimBYO {
		return nil
	}
	if cur.DkimKeyLength == want.DkimKeyLength || want.DkimKeyLength == 1024 || cur.LastKeyCreated == nil {
		return nil
	}
	next := cur.LastKeyCreated.Add(keyChangeWindow)
	if now := p.opts.Now(); now.Before(next) {
		return fmt.Errorf("SES lets the DKIM key length of an identity change once per 24 hours; the key of %s "+
			"was generated at %s, so the change from %d to %d bits can be made after %s. Nothing was changed; run apply again then",
			cur.Name, cur.LastKeyCreated.UTC().Format(time.RFC3339), cur.DkimKeyLength, want.DkimKeyLength,
			next.UTC().Format(time.RFC3339))
	}
	return nil
}

// converge makes the calls that turn cur into want, for the attributes the
// spec names, updating cur after each successful call.
func (p *Provider) converge(ctx context.Context, req providers.ApplyRequest, addr string, cur *identityState, want desiredIdentity) error {
	name := cur.Name
	if want.named["configuration_set"] && cur.ConfigSet != want.ConfigSet {
		in := &sesv2.PutEmailIdentityConfigurationSetAttributesInput{EmailIdentity: aws.String(name)}
		if want.ConfigSet != "" {
			in.ConfigurationSetName = aws.String(want.ConfigSet)
		}
		if _, err := p.v2.PutEmailIdentityConfigurationSetAttributes(ctx, in); err != nil {
			return awsError("setting the default configuration set of "+name, err)
		}
		cur.ConfigSet = want.ConfigSet
	}

	if cur.isDomain() && (want.named["dkim_mode"] || want.named["dkim_key_length"] || want.named["dkim_selector"] || want.named["dkim_private_key"]) {
		if err := p.convergeDKIM(ctx, req, addr, cur, want); err != nil {
			return err
		}
	}

	if want.named["mail_from_domain"] || want.named["mail_from_on_mx_failure"] {
		differs := cur.MailFromDomain != want.MailFromDomain ||
			(want.MailFromDomain != "" && cur.MailFromOnMx != want.MailFromOnMx)
		if differs {
			in := &sesv2.PutEmailIdentityMailFromAttributesInput{
				EmailIdentity:       aws.String(name),
				BehaviorOnMxFailure: types.BehaviorOnMxFailure(want.MailFromOnMx),
			}
			if want.MailFromDomain != "" {
				in.MailFromDomain = aws.String(want.MailFromDomain)
			}
			if _, err := p.v2.PutEmailIdentityMailFromAttributes(ctx, in); err != nil {
				return awsError("setting the MAIL FROM domain of "+name, err)
			}
			cur.MailFromDomain, cur.MailFromOnMx, cur.MailFromStatus = want.MailFromDomain, want.MailFromOnMx, ""
		}
	}

	for _, step := range notificationSteps(*cur, want) {
		if err := p.runNotificationStep(ctx, name, step); err != nil {
			return awsError(step.String()+" of "+name, err)
		}
		step.applyTo(cur)
	}
	return nil
}

// convergeDKIM switches between Easy DKIM, BYODKIM and no signing, and
// changes the Easy DKIM key length, by the steps dkimSteps decides.
func (p *Provider) convergeDKIM(ctx context.Context, req providers.ApplyRequest, addr string, cur *identityState, want desiredIdentity) error {
	for _, step := range dkimSteps(*cur, want) {
		var err error
		switch step.Kind {
		case "easy":
			err = p.setEasyDKIM(ctx, req, addr, cur, step)
		case "byo":
			err = p.setBYODKIM(ctx, req, addr, cur, step)
		case "signing":
			err = p.setDKIMSigning(ctx, addr, cur, step.Enabled)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// setEasyDKIM has SES sign cur with its own keys of step.KeyLength bits.
func (p *Provider) setEasyDKIM(ctx context.Context, req providers.ApplyRequest, addr string, cur *identityState, step dkimStep) error {
	name, length := cur.Name, step.KeyLength
	l, _ := keyLengthEnum(length)
	req.Report(addr, fmt.Sprintf("setting Easy DKIM with %d-bit keys for %s", length, name))
	out, err := p.v2.PutEmailIdentityDkimSigningAttributes(ctx, &sesv2.PutEmailIdentityDkimSigningAttributesInput{
		EmailIdentity:           aws.String(name),
		SigningAttributesOrigin: types.DkimSigningAttributesOriginAwsSes,
		SigningAttributes:       &types.DkimSigningAttributes{NextSigningKeyLength: l},
	})
	if err != nil {
		return awsError(fmt.Sprintf("setting Easy DKIM with %d-bit keys for %s", length, name), err)
	}
	cur.DkimOrigin = string(types.DkimSigningAttributesOriginAwsSes)
	cur.DkimKeyLength = length
	cur.DkimSelector = ""
	if out.DkimStatus != "" {
		cur.DkimStatus = string(out.DkimStatus)
	}
	if len(out.DkimTokens) > 0 {
		cur.DkimTokens = append([]string(nil), out.DkimTokens...)
	}
	if step.Untag {
		if err := p.untagIdentity(ctx, name, TagDKIMKeyLocation); err != nil {
			return awsError("removing tag "+TagDKIMKeyLocation+" from "+name, err)
		}
		delete(cur.Tags, TagDKIMKeyLocation)
		cur.DkimKeySource = ""
	}
	return nil
}

// setBYODKIM gives SES the private key at step.KeySource to sign cur with
// under step.Selector, and records the key's location on the identity.
func (p *Provider) setBYODKIM(ctx context.Context, req providers.ApplyRequest, addr string, cur *identityState, step dkimStep) error {
	name, external := cur.Name, string(types.DkimSigningAttributesOriginExternal)
	key, err := p.byodkimKey(ctx, addr, step.KeySource)
	if err != nil {
		return err
	}
	req.Report(addr, "giving SES the DKIM key from "+step.KeySource+" (selector "+step.Selector+") for "+name)
	out, err := p.v2.PutEmailIdentityDkimSigningAttributes(ctx, &sesv2.PutEmailIdentityDkimSigningAttributesInput{
		EmailIdentity:           aws.String(name),
		SigningAttributesOrigin: types.DkimSigningAttributesOriginExternal,
		SigningAttributes: &types.DkimSigningAttributes{
			DomainSigningSelector:   aws.String(step.Selector),
			DomainSigningPrivateKey: aws.String(key),
		},
	})
	err = scrubSecret(err, key)
	if err != nil {
		return awsError("giving SES the DKIM key from "+step.KeySource+" for "+name, err)
	}
	cur.DkimOrigin, cur.DkimSelector, cur.DkimKeyLength = external, step.Selector, 0
	cur.DkimTokens = []string{step.Selector}
	if len(out.DkimTokens) > 0 {
		cur.DkimTokens = append([]string(nil), out.DkimTokens...)
	}
	if out.DkimStatus != "" {
		cur.DkimStatus = string(out.DkimStatus)
	}
	tag := []types.Tag{{Key: aws.String(TagDKIMKeyLocation), Value: aws.String(step.KeySource)}}
	if err := p.tagIdentity(ctx, name, tag); err != nil {
		return awsError("recording the DKIM key location on "+name, err)
	}
	cur.Tags[TagDKIMKeyLocation] = step.KeySource
	cur.DkimKeySource = step.KeySource
	return nil
}

// setDKIMSigning turns DKIM signing of cur on or off.
func (p *Provider) setDKIMSigning(ctx context.Context, addr string, cur *identityState, enabled bool) error {
	name := cur.Name
	if _, err := p.v2.PutEmailIdentityDkimAttributes(ctx, &sesv2.PutEmailIdentityDkimAttributesInput{
		EmailIdentity:  aws.String(name),
		SigningEnabled: enabled,
	}); err != nil {
		return awsError(fmt.Sprintf("turning DKIM signing %s for %s", onOff(enabled), name), err)
	}
	cur.DkimSigning = enabled
	return nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// deleteIdentity deletes an identity that carries stack's mark. An identity
// that is already gone is a success (a re-run after an interrupted delete).
func (p *Provider) deleteIdentity(ctx context.Context, stack, addr, name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("no identity name to delete")
	}
	cur, found, err := p.describeIdentity(ctx, name, false)
	if err != nil {
		return "", awsError("reading SES identity "+name+" before deleting it", err)
	}
	if !found {
		return "SES identity " + name + " was already gone", nil
	}
	if owner := cur.Tags[specs.TagStack]; owner != stack || stack == "" {
		return "", notOwnedError(addr, "identity "+name, stack, owner)
	}
	if _, err := p.v2.DeleteEmailIdentity(ctx, &sesv2.DeleteEmailIdentityInput{EmailIdentity: aws.String(name)}); err != nil && !isNotFound(err) {
		return "", awsError("deleting SES identity "+name, err)
	}
	return "", nil
}

func (p *Provider) tagIdentity(ctx context.Context, name string, tags []types.Tag) error {
	if err := p.ensureAccountID(ctx); err != nil {
		return err
	}
	arn := p.identityARN(name)
	if arn == "" {
		return fmt.Errorf("the AWS account is unknown, so the identity's ARN cannot be built")
	}
	_, err := p.v2.TagResource(ctx, &sesv2.TagResourceInput{ResourceArn: aws.String(arn), Tags: tags})
	return err
}

func (p *Provider) untagIdentity(ctx context.Context, name string, keys ...string) error {
	if err := p.ensureAccountID(ctx); err != nil {
		return err
	}
	arn := p.identityARN(name)
	if arn == "" {
		return fmt.Errorf("the AWS account is unknown, so the identity's ARN cannot be built")
	}
	_, err := p.v2.UntagResource(ctx, &sesv2.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: keys})
	return err
}

// observedIdentity is the Observed an Apply result carries.
func (p *Provider) observedIdentity(ctx context.Context, addr string, s identityState) *plan.Observed {
	_ = p.ensureAccountID(ctx) // the ARN is a convenience; its absence must not fail a done change
	return &plan.Observed{
		Addr:  addr,
		Kind:  specs.KindSESIdentity,
		ID:    s.Name,
		Owner: s.Tags[specs.TagStack],
		Attrs: s.attrs(p.identityARN(s.Name)),
	}
}

// notificationStep is one call that changes feedback notifications.
type notificationStep struct {
	Kind    string // "forwarding", "topic" or "headers"
	Type    string // bounce, complaint, delivery (topic and headers)
	Topic   string // the topic ARN; "" clears it
	Enabled bool   // forwarding and headers
}

func (s notificationStep) String() string {
	switch s.Kind {
	case "forwarding":
		return "turning email feedback forwarding " + onOff(s.Enabled)
	case "headers":
		return "turning original headers in " + s.Type + " notifications " + onOff(s.Enabled)
	}
	if s.Topic == "" {
		return "clearing the " + s.Type + " notification topic"
	}
	return "setting the " + s.Type + " notification topic to " + s.Topic
}

func (s notificationStep) applyTo(cur *identityState) {
	switch s.Kind {
	case "forwarding":
		cur.Forwarding = s.Enabled
	case "headers":
		if cur.Headers == nil {
			cur.Headers = map[string]bool{}
		}
		cur.Headers[s.Type] = s.Enabled
	case "topic":
		if cur.Topics == nil {
			cur.Topics = map[string]string{}
		}
		if s.Topic == "" {
			delete(cur.Topics, s.Type)
			if s.Type != "delivery" {
				// Forwarding cannot stay off without both feedback topics: SES turns it back on.
				cur.Forwarding = true
			}
		} else {
			cur.Topics[s.Type] = s.Topic
		}
	}
}

// notificationSteps orders the calls so that SES accepts each one: SES lets
// forwarding be off only while both a bounce and a complaint topic are set,
// so forwarding is turned on before any topic is cleared, topics are set
// before forwarding is turned off, and new topics are set before old ones are
// cleared.
func notificationSteps(cur identityState, want desiredIdentity) []notificationStep {
	var steps []notificationStep
	fwdNamed := want.named["feedback_forwarding"]
	if fwdNamed && want.Forwarding && !cur.Forwarding {
		steps = append(steps, notificationStep{Kind: "forwarding", Enabled: true})
	}
	after := map[string]string{}
	for _, t := range notificationTypes {
		after[t] = cur.Topics[t]
		if want.named[t+"_topic"] {
			after[t] = want.Topics[t]
		}
	}
	for _, t := range notificationTypes {
		if want.named[t+"_topic"] && want.Topics[t] != "" && want.Topics[t] != cur.Topics[t] {
			steps = append(steps, notificationStep{Kind: "topic", Type: t, Topic: want.Topics[t]})
		}
	}
	if want.named["notification_headers"] {
		for _, t := range notificationTypes {
			if after[t] != "" && cur.Headers[t] != want.headers {
				steps = append(steps, notificationStep{Kind: "headers", Type: t, Enabled: want.headers})
			}
		}
	}
	for _, t := range notificationTypes {
		if want.named[t+"_topic"] && want.Topics[t] == "" && cur.Topics[t] != "" {
			steps = append(steps, notificationStep{Kind: "topic", Type: t})
		}
	}
	if fwdNamed && !want.Forwarding && cur.Forwarding {
		steps = append(steps, notificationStep{Kind: "forwarding", Enabled: false})
	}
	return steps
}

var v1NotificationType = map[string]sesv1types.NotificationType{
	"bounce":    sesv1types.NotificationTypeBounce,
	"complaint": sesv1types.NotificationTypeComplaint,
	"delivery":  sesv1types.NotificationTypeDelivery,
}

func (p *Provider) runNotificationStep(ctx context.Context, identity string, s notificationStep) error {
	var err error
	switch s.Kind {
	case "forwarding":
		_, err = p.v2.PutEmailIdentityFeedbackAttributes(ctx, &sesv2.PutEmailIdentityFeedbackAttributesInput{
			EmailIdentity:          aws.String(identity),
			EmailForwardingEnabled: s.Enabled,
		})
	case "headers":
		_, err = p.v1.SetIdentityHeadersInNotificationsEnabled(ctx, &sesv1.SetIdentityHeadersInNotificationsEnabledInput{
			Identity:         aws.String(identity),
			NotificationType: v1NotificationType[s.Type],
			Enabled:          s.Enabled,
		})
	case "topic":
		in := &sesv1.SetIdentityNotificationTopicInput{
			Identity:         aws.String(identity),
			NotificationType: v1NotificationType[s.Type],
		}
		if s.Topic != "" {
			in.SnsTopic = aws.String(s.Topic)
		}
		_, err = p.v1.SetIdentityNotificationTopic(ctx, in)
	}
	return err
}
