package ses

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1types "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/mailform/mailform/specs"
)

// TagDKIMKeyLocation records, on a BYODKIM identity, the secret location its
// private key was read from: SES never returns the key, so this tag is how a
// later plan sees which key the identity was given.
const TagDKIMKeyLocation = "mailform:dkim_private_key"

// DKIM modes, as in the spec.
const (
	dkimEasy = "easy"
	dkimBYO  = "byo"
	dkimOff  = "off"
)

// Notification types, in the order mailform sets them.
var notificationTypes = []string{"bounce", "complaint", "delivery"}

// identityState is one SES identity: what SES reports about it, or what the
// spec wants of it. The zero value of a field means "none" (no configuration
// set, no MAIL FROM domain, no topic).
type identityState struct {
	Name string
	Type string // DOMAIN, EMAIL_ADDRESS, MANAGED_DOMAIN

	DkimSigning    bool   // signing enabled
	DkimOrigin     string // AWS_SES, EXTERNAL, AWS_SES_<REGION>
	DkimKeyLength  int64  // next key length (easy), 0 when unknown
	DkimSelector   string // BYODKIM selector
	DkimKeySource  string // BYODKIM secret location (from TagDKIMKeyLocation)
	DkimTokens     []string
	DkimStatus     string
	LastKeyCreated *time.Time

	ConfigSet      string
	MailFromDomain string
	MailFromOnMx   string
	MailFromStatus string

	NotificationsKnown bool
	Topics             map[string]string // notification type -> topic ARN
	Headers            map[string]bool   // notification type -> headers included
	Forwarding         bool

	VerificationStatus string
	Tags               map[string]string
}

func (s identityState) isDomain() bool {
	return s.Type == string(types.IdentityTypeDomain) || s.Type == string(types.IdentityTypeManagedDomain)
}

// dkimMode is the spec's name for how the identity signs.
func (s identityState) dkimMode() string {
	switch {
	case !s.DkimSigning:
		return dkimOff
	case s.DkimOrigin == string(types.DkimSigningAttributesOriginExternal):
		return dkimBYO
	}
	return dkimEasy
}

// identityFromSES reads the v2 description of an identity.
func identityFromSES(name string, out *sesv2.GetEmailIdentityOutput) identityState {
	s := identityState{
		Name:               name,
		Type:               string(out.IdentityType),
		ConfigSet:          aws.ToString(out.ConfigurationSetName),
		Forwarding:         out.FeedbackForwardingStatus,
		VerificationStatus: string(out.VerificationStatus),
		Tags:               tagMap(out.Tags),
	}
	if s.VerificationStatus == "" {
		s.VerificationStatus = verificationFromBool(out.VerifiedForSendingStatus)
	}
	s.setDkim(out.DkimAttributes)
	if mf := out.MailFromAttributes; mf != nil {
		s.MailFromDomain = strings.TrimSuffix(aws.ToString(mf.MailFromDomain), ".")
		s.MailFromOnMx = string(mf.BehaviorOnMxFailure)
		s.MailFromStatus = string(mf.MailFromDomainStatus)
	}
	s.DkimKeySource = s.Tags[TagDKIMKeyLocation]
	return s
}

func verificationFromBool(verified bool) string {
	if verified {
		return string(types.VerificationStatusSuccess)
	}
	return string(types.VerificationStatusPending)
}

func (s *identityState) setDkim(d *types.DkimAttributes) {
	if d == nil {
		return
	}
	s.DkimSigning = d.SigningEnabled
	s.DkimOrigin = string(d.SigningAttributesOrigin)
	s.DkimStatus = string(d.Status)
	s.DkimTokens = append([]string(nil), d.Tokens...)
	s.LastKeyCreated = d.LastKeyGenerationTimestamp
	s.DkimKeyLength = keyLengthBits(d.NextSigningKeyLength)
	if s.DkimKeyLength == 0 {
		s.DkimKeyLength = keyLengthBits(d.CurrentSigningKeyLength)
	}
	if s.DkimOrigin == string(types.DkimSigningAttributesOriginExternal) && len(d.Tokens) > 0 {
		s.DkimSelector = d.Tokens[0]
	}
}

// setNotifications records what v1 reports about feedback notifications.
func (s *identityState) setNotifications(n sesv1types.IdentityNotificationAttributes) {
	s.NotificationsKnown = true
	s.Topics = map[string]string{}
	for typ, arn := range map[string]*string{"bounce": n.BounceTopic, "complaint": n.ComplaintTopic, "delivery": n.DeliveryTopic} {
		if v := aws.ToString(arn); v != "" {
			s.Topics[typ] = v
		}
	}
	s.Headers = map[string]bool{
		"bounce":    n.HeadersInBounceNotificationsEnabled,
		"complaint": n.HeadersInComplaintNotificationsEnabled,
		"delivery":  n.HeadersInDeliveryNotificationsEnabled,
	}
	s.Forwarding = n.ForwardingEnabled
}

func keyLengthBits(l types.DkimSigningKeyLength) int64 {
	switch l {
	case types.DkimSigningKeyLengthRsa1024Bit:
		return 1024
	case types.DkimSigningKeyLengthRsa2048Bit:
		return 2048
	}
	return 0
}

func keyLengthEnum(bits int64) (types.DkimSigningKeyLength, error) {
	switch bits {
	case 1024:
		return types.DkimSigningKeyLengthRsa1024Bit, nil
	case 2048:
		return types.DkimSigningKeyLengthRsa2048Bit, nil
	}
	return "", fmt.Errorf("DKIM key length %d is not one SES offers (1024 or 2048)", bits)
}

// notificationHeaders is the observed value of notification_headers: true
// when every type that has a topic includes the original headers.
func (s identityState) notificationHeaders() bool {
	some := false
	for _, t := range notificationTypes {
		if s.Topics[t] == "" {
			continue
		}
		if !s.Headers[t] {
			return false
		}
		some = true
	}
	return some
}

// attrs renders the state in the normal forms of docs/resources.md.
func (s identityState) attrs(arn string) map[string]any {
	a := map[string]any{
		"identity": s.Name,
		"type":     s.Type,
	}
	if s.isDomain() {
		mode := s.dkimMode()
		a["dkim_mode"] = mode
		switch {
		case mode == dkimBYO || (mode == dkimOff && s.DkimOrigin == string(types.DkimSigningAttributesOriginExternal)):
			if s.DkimSelector != "" {
				a["dkim_selector"] = s.DkimSelector
			}
			if s.DkimKeySource != "" {
				a["dkim_private_key"] = s.DkimKeySource
			}
		case s.DkimKeyLength != 0:
			a["dkim_key_length"] = s.DkimKeyLength
		}
		if len(s.DkimTokens) > 0 {
			tokens := make([]any, len(s.DkimTokens))
			for i, t := range s.DkimTokens {
				tokens[i] = t
			}
			a["dkim_tokens"] = tokens
		}
	}
	if s.DkimStatus != "" {
		a["dkim_status"] = s.DkimStatus
	}
	if s.ConfigSet != "" {
		a["configuration_set"] = s.ConfigSet
	}
	if s.MailFromDomain != "" {
		a["mail_from_domain"] = s.MailFromDomain
		if s.MailFromStatus != "" {
			a["mail_from_status"] = s.MailFromStatus
		}
	}
	if s.MailFromOnMx != "" {
		a["mail_from_on_mx_failure"] = s.MailFromOnMx
	}
	if s.NotificationsKnown {
		for _, t := range notificationTypes {
			if arn := s.Topics[t]; arn != "" {
				a[t+"_topic"] = arn
			}
		}
		a["notification_headers"] = s.notificationHeaders()
	}
	a["feedback_forwarding"] = s.Forwarding
	if s.VerificationStatus != "" {
		a["verification_status"] = s.VerificationStatus
	}
	if arn != "" {
		a["arn"] = arn
	}
	return a
}

// desiredIdentity is what a change's After attributes ask of an identity.
// named records which attributes the spec sets at all: mailform converges
// only those, as the plan compares only those.
type desiredIdentity struct {
	identityState
	named map[string]bool
	// headers is the wanted notification_headers, when named.
	headers bool
}

// parseDesired reads After. It refuses values that are still placeholders.
func parseDesired(addr string, after map[string]any) (desiredIdentity, error) {
	a := attrs(after)
	if u := a.unresolved(); len(u) > 0 {
		return desiredIdentity{}, fmt.Errorf("not applied: %s still unknown (what it refers to does not exist yet)", strings.Join(u, ", "))
	}
	d := desiredIdentity{named: map[string]bool{}}
	for k := range after {
		d.named[k] = true
	}
	d.Name = a.str("identity")
	if d.Name == "" {
		return d, fmt.Errorf("the identity name is empty")
	}
	d.Type = a.str("type")
	if d.Type == "" {
		if strings.Contains(d.Name, "@") {
			d.Type = string(types.IdentityTypeEmailAddress)
		} else {
			d.Type = string(types.IdentityTypeDomain)
		}
	}
	mode := a.str("dkim_mode")
	if mode == "" {
		mode = dkimEasy
	}
	switch mode {
	case dkimEasy:
		d.DkimSigning = true
		d.DkimOrigin = string(types.DkimSigningAttributesOriginAwsSes)
	case dkimBYO:
		d.DkimSigning = true
		d.DkimOrigin = string(types.DkimSigningAttributesOriginExternal)
	case dkimOff:
		d.DkimSigning = false
	default:
		return d, fmt.Errorf("dkim_mode %q is not easy, byo or off", mode)
	}
	if n, ok := a.integer("dkim_key_length"); ok {
		if _, err := keyLengthEnum(n); err != nil {
			return d, err
		}
		d.DkimKeyLength = n
	}
	d.DkimSelector = a.str("dkim_selector")
	d.DkimKeySource = a.str("dkim_private_key")
	if mode == dkimBYO && (d.DkimSelector == "" || d.DkimKeySource == "") {
		return d, fmt.Errorf("BYODKIM needs dkim_selector and dkim_private_key")
	}
	d.ConfigSet = a.str("configuration_set")
	d.MailFromDomain = strings.TrimSuffix(a.str("mail_from_domain"), ".")
	d.MailFromOnMx = a.str("mail_from_on_mx_failure")
	if d.MailFromOnMx == "" {
		d.MailFromOnMx = string(types.BehaviorOnMxFailureUseDefaultValue)
	}
	d.Topics = map[string]string{}
	for _, t := range notificationTypes {
		if v := a.str(t + "_topic"); v != "" {
			d.Topics[t] = v
		}
	}
	d.headers, _ = a.boolean("notification_headers")
	d.Forwarding = true
	if f, ok := a.boolean("feedback_forwarding"); ok {
		d.Forwarding = f
	}
	if !d.Forwarding && (d.Topics["bounce"] == "" || d.Topics["complaint"] == "") {
		return d, fmt.Errorf("feedback_forwarding = false needs both a bounce and a complaint topic (SES refuses it otherwise)")
	}
	return d, nil
}

// tags is the tag set a created identity carries.
func (d desiredIdentity) tags(stack, addr string) []types.Tag {
	tags := ownershipTags(stack, addr)
	if d.isDomain() && d.DkimOrigin == string(types.DkimSigningAttributesOriginExternal) && d.DkimKeySource != "" {
		tags = append(tags, types.Tag{Key: aws.String(TagDKIMKeyLocation), Value: aws.String(d.DkimKeySource)})
	}
	return tags
}

// identityAddr is the address of an identity that is owned but not desired:
// the one its tag records, else the one its block would have.
func identityAddr(s identityState) string {
	if a := s.Tags[specs.TagAddr]; a != "" {
		return a
	}
	if s.isDomain() {
		return "domain." + s.Name
	}
	return "email." + s.Name
}
