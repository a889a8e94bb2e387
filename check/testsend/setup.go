// Package testsend proves that mail sent through Amazon SES from a spec's
// identity reaches the mailbox simulator and that its feedback (bounces,
// complaints, deliveries) comes back through the spec's topics to its queues,
// with the shapes SES documents. With SMTP it also proves that the stored
// SMTP credentials of each smtp_user authenticate.
//
// It sends test messages and consumes (deletes) only the queue messages that
// belong to them; it changes nothing else in AWS. It never prints: Run returns
// a Report, and Render/RenderJSON write it. SMTP passwords never appear in a
// Report, an error or any output.
package testsend

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/mailform/mailform/specs"
)

// Paths are the mailbox simulator's addresses (local parts), in the order
// test-send sends to them.
var Paths = []string{"success", "bounce", "complaint", "ooto", "suppressionlist"}

// SimulatorDomain is the mailbox simulator's domain.
const SimulatorDomain = "simulator.amazonses.com"

// Setup is what test-send needs from a spec: who sends, through which
// configuration set, and where the spec says feedback should arrive.
type Setup struct {
	Region           string
	Identity         string // the SES identity that covers From
	From             string
	ConfigurationSet string // AWS name of the identity's default set, or ""

	// IdentityTopics maps a notification type (Bounce, Complaint, Delivery)
	// to the AWS name of the topic the identity's notifications go to.
	IdentityTopics map[string]string
	// EventDestinations are the SNS event destinations of ConfigurationSet.
	EventDestinations []EventDestination
	// Queues maps a topic's AWS name to the AWS name of the queue the spec
	// subscribes to it; a topic without a queue is absent.
	Queues map[string]string
	// SMTPUsers are the spec's smtp_user blocks.
	SMTPUsers []SMTPUser
}

// EventDestination is an SNS event destination of a configuration set.
type EventDestination struct {
	Name  string
	Types []string // SES event types: SEND, BOUNCE, COMPLAINT, DELIVERY, ...
	Topic string   // AWS name of the topic
}

// SMTPUser is an smtp_user block: where its credentials are stored.
type SMTPUser struct {
	Label       string
	UserName    string
	Credentials string // secret location
}

// DefaultLocalPart is the local part of the From address test-send uses
// under a domain identity when -from is not given.
const DefaultLocalPart = "mailform-test-send"

// FromSpec derives the Setup from a loaded spec. from, when not "", is the
// sender; it must be covered by one of the spec's identities. Without it,
// test-send sends from DefaultLocalPart at the first domain identity, or from
// the first email identity (by name), verified or not: FromSpecVerified
// chooses a verified one.
func FromSpec(spec *specs.Spec, from string) (Setup, error) {
	return FromSpecVerified(spec, from, nil)
}

// FromSpecVerified is FromSpec that, without from, sends from the first
// identity (domains first, then email addresses, each by name) for which
// verified says true, so that test-send proves the mail path of an identity
// that can send rather than failing on one still pending. When none is
// verified it takes the first, whose chain then says what is missing. An
// error from verified is returned. verified nil means FromSpec's choice.
func FromSpecVerified(spec *specs.Spec, from string, verified func(identity string) (bool, error)) (Setup, error) {
	byAddr := map[string]specs.Resource{}
	for _, r := range spec.Resources() {
		byAddr[r.Addr] = r
	}
	name := func(addr string) string {
		s, _ := byAddr[addr].Attrs["name"].(string)
		return s
	}
	setup := Setup{Region: spec.Region, IdentityTopics: map[string]string{}, Queues: map[string]string{}}

	type candidate struct {
		identity, configSet string
		notifications       *specs.Notifications
	}
	var domains, emails []candidate
	for _, d := range spec.Domains {
		if d.SESIdentity {
			domains = append(domains, candidate{strings.ToLower(d.Name), d.ConfigurationSet, d.Notifications})
		}
	}
	for _, e := range spec.Emails {
		emails = append(emails, candidate{strings.ToLower(e.Address), e.ConfigurationSet, nil})
	}
	sort.Slice(domains, func(i, j int) bool { return domains[i].identity < domains[j].identity })
	sort.Slice(emails, func(i, j int) bool { return emails[i].identity < emails[j].identity })

	var chosen *candidate
	if from != "" {
		addr, err := mail.ParseAddress(from)
		if err != nil {
			return Setup{}, fmt.Errorf("-from %q is not an email address", from)
		}
		setup.From = addr.Address
		lower := strings.ToLower(addr.Address)
		for i := range emails {
			if emails[i].identity == lower {
				chosen = &emails[i]
			}
		}
		if chosen == nil {
			// The most specific domain that covers the address.
			domain := lower[strings.LastIndex(lower, "@")+1:]
			for i := range domains {
				d := domains[i].identity
				if (domain == d || strings.HasSuffix(domain, "."+d)) && (chosen == nil || len(d) > len(chosen.identity)) {
					chosen = &domains[i]
				}
			}
		}
		if chosen == nil {
			return Setup{}, fmt.Errorf("no domain or email block of the spec covers -from %s: SES would refuse to send from it", addr.Address)
		}
	} else {
		all := append(append([]candidate(nil), domains...), emails...)
		if len(all) == 0 {
			return Setup{}, fmt.Errorf("the spec declares no SES identity (a domain or email block) to send from")
		}
		chosen = &all[0]
		for i := range all {
			if verified == nil {
				break
			}
			ok, err := verified(all[i].identity)
			if err != nil {
				return Setup{}, err
			}
			if ok {
				chosen = &all[i]
				break
			}
		}
		setup.From = chosen.identity
		if !strings.Contains(chosen.identity, "@") {
			setup.From = DefaultLocalPart + "@" + chosen.identity
		}
	}
	setup.Identity = chosen.identity

	if n := chosen.notifications; n != nil {
		for typ, label := range map[string]string{"Bounce": n.Bounce, "Complaint": n.Complaint, "Delivery": n.Delivery} {
			if label != "" {
				setup.IdentityTopics[typ] = name("topic." + label)
			}
		}
	}
	if chosen.configSet != "" {
		setup.ConfigurationSet = name("configuration_set." + chosen.configSet)
		for _, cs := range spec.ConfigurationSets {
			if cs.Label != chosen.configSet {
				continue
			}
			for _, ed := range cs.EventDestinations {
				if !ed.Enabled {
					continue
				}
				types := append([]string(nil), ed.Types...)
				sort.Strings(types)
				setup.EventDestinations = append(setup.EventDestinations, EventDestination{Name: ed.Name, Types: types, Topic: name("topic." + ed.Topic)})
			}
		}
		sort.Slice(setup.EventDestinations, func(i, j int) bool { return setup.EventDestinations[i].Name < setup.EventDestinations[j].Name })
	}
	for _, t := range spec.Topics {
		if q := name("topic." + t.Label + "/queue"); q != "" {
			setup.Queues[name("topic."+t.Label)] = q
		}
	}
	for _, u := range spec.SMTPUsers {
		r := byAddr["smtp_user."+u.Label]
		userName, _ := r.Attrs["user_name"].(string)
		setup.SMTPUsers = append(setup.SMTPUsers, SMTPUser{Label: u.Label, UserName: userName, Credentials: u.Credentials})
	}
	return setup, nil
}

// VerifiedForSending asks SES whether an identity may send
// (GetEmailIdentity's VerifiedForSendingStatus), for FromSpecVerified. An
// identity SES does not know is not verified.
func VerifiedForSending(ctx context.Context, api SESv2API) func(identity string) (bool, error) {
	return func(identity string) (bool, error) {
		out, err := api.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: &identity})
		var missing *sestypes.NotFoundException
		if errors.As(err, &missing) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return out.VerifiedForSendingStatus, nil
	}
}
