package ses

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/specs"
)

// Refresh says how a plan reads the SES identities of the stack.
type Refresh string

const (
	// RefreshBatch, the default, reads the stack's identities with SES v1's
	// batch reads (verification, DKIM, MAIL FROM and notification
	// attributes of 100 identities a call) and their tags from the Resource
	// Groups Tagging API. What no batch read returns (the default
	// configuration set, the DKIM signing origin, key length and BYODKIM
	// selector) is taken from the tag TagSettings, which records what
	// mailform last set; an identity whose record is missing, or differs from
	// what the spec asks, is described with GetEmailIdentity.
	RefreshBatch Refresh = "batch"
	// RefreshFull describes every identity of the stack and every declared
	// one with GetEmailIdentity, one SES call each, and so sees changes made
	// outside mailform to what only that call returns.
	RefreshFull Refresh = "full"
)

// ParseRefresh reads the value of a -refresh flag.
func ParseRefresh(s string) (Refresh, error) {
	switch r := Refresh(s); r {
	case RefreshBatch, RefreshFull:
		return r, nil
	case "":
		return RefreshBatch, nil
	}
	return "", fmt.Errorf("-refresh %q: want %q or %q", s, RefreshBatch, RefreshFull)
}

// SetRefresh chooses how the following Reads read identities.
func (p *Provider) SetRefresh(r Refresh) { p.refresh.Store(string(r)) }

func (p *Provider) fullRefresh() bool {
	r, _ := p.refresh.Load().(string)
	return Refresh(r) == RefreshFull
}

// TagSettings records, on an identity, the settings mailform gave it that
// only GetEmailIdentity returns (no batch read does): its default
// configuration set and how it signs. The Tagging API returns it with the
// ownership tags, so a plan need not describe each identity to compare
// them. It records what mailform set, not what the identity has now: a
// change made outside mailform shows only to `plan -refresh=full`.
const TagSettings = "mailform:settings"

// recordedSettings is the value of TagSettings.
type recordedSettings struct {
	ConfigSet    string // "" for none
	DkimOrigin   string // AWS_SES, EXTERNAL; "" for an email address
	DkimLength   int64  // Easy DKIM key length
	DkimSelector string // BYODKIM selector
}

// recordedOf is what TagSettings records of s.
func recordedOf(s identityState) recordedSettings {
	r := recordedSettings{ConfigSet: s.ConfigSet}
	if s.isDomain() {
		r.DkimOrigin = s.DkimOrigin
		if s.DkimOrigin == string(types.DkimSigningAttributesOriginExternal) {
			r.DkimSelector = s.DkimSelector
		} else {
			r.DkimLength = s.DkimKeyLength
		}
	}
	return r
}

// String is the tag value: space-separated name=value pairs, in the
// characters SES allows in tag values (letters, digits, spaces, _ . : / = + - @).
func (r recordedSettings) String() string {
	parts := []string{"configuration_set=" + r.ConfigSet}
	if r.DkimOrigin != "" {
		parts = append(parts, "dkim_origin="+r.DkimOrigin)
	}
	if r.DkimLength != 0 {
		parts = append(parts, "dkim_key_length="+strconv.FormatInt(r.DkimLength, 10))
	}
	if r.DkimSelector != "" {
		parts = append(parts, "dkim_selector="+r.DkimSelector)
	}
	return strings.Join(parts, " ")
}

// parseRecorded reads a TagSettings value; ok is false for a value mailform
// did not write (then the identity is described instead).
func parseRecorded(v string) (r recordedSettings, ok bool) {
	seen := false
	for _, f := range strings.Fields(v) {
		name, val, found := strings.Cut(f, "=")
		if !found {
			return recordedSettings{}, false
		}
		switch name {
		case "configuration_set":
			r.ConfigSet, seen = val, true
		case "dkim_origin":
			r.DkimOrigin = val
		case "dkim_key_length":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return recordedSettings{}, false
			}
			r.DkimLength = n
		case "dkim_selector":
			r.DkimSelector = val
		default:
			return recordedSettings{}, false
		}
	}
	return r, seen
}

// settingsNotes says when an identity's TagSettings is not what mailform
// would write of the settings SES reports: a value edited by hand (garbage,
// or another stack's) or a change made outside mailform, seen by a
// description. An identity read in batch takes its settings from the record,
// so it never has one; nor does an identity without the record. The plan
// goes by what SES reports; the note (summary, newline, detail) tells the
// user why the identity is described on every plan until the record agrees.
func settingsNotes(s identityState) []string {
	v, has := s.Tags[TagSettings]
	if !has {
		return nil
	}
	live := recordedOf(s)
	if rec, ok := parseRecorded(v); ok && rec == live {
		return nil
	}
	return []string{fmt.Sprintf("its %s tag reads %q, but SES reports %q\n"+
		"mailform records in this tag the settings it gave the identity, so that a plan need not describe it; "+
		"the tag was edited outside mailform, or the settings were changed outside it. "+
		"mailform planned from what SES reports and changes nothing for the tag alone; "+
		"it describes the identity on every plan (one GetEmailIdentity) until the tag agrees: "+
		"the next apply that changes one of these settings rewrites it, or set it to %q.",
		TagSettings, v, live.String(), live.String())}
}

// settingsTag is the TagSettings tag for s.
func settingsTag(s identityState) types.Tag {
	return types.Tag{Key: aws.String(TagSettings), Value: aws.String(recordedOf(s).String())}
}

// recordSettings brings TagSettings up to date with cur, when it differs.
func (p *Provider) recordSettings(ctx context.Context, cur *identityState) error {
	v := recordedOf(*cur).String()
	if cur.Tags[TagSettings] == v {
		return nil
	}
	if err := p.tagIdentity(ctx, cur.Name, []types.Tag{settingsTag(*cur)}); err != nil {
		return awsError("recording the settings of "+cur.Name+" in tag "+TagSettings, err)
	}
	if cur.Tags == nil {
		cur.Tags = map[string]string{}
	}
	cur.Tags[TagSettings] = v
	return nil
}

// answersDesired reports whether the recorded settings hold what r asks of
// the attributes only GetEmailIdentity returns, so that a plan trusting them
// shows no change there.
func (r recordedSettings) answersDesired(want specs.Resource) bool {
	a := attrs(want.Attrs)
	if _, named := want.Attrs["configuration_set"]; named && a.str("configuration_set") != r.ConfigSet {
		return false
	}
	if strings.Contains(a.str("identity"), "@") {
		return true
	}
	external := string(types.DkimSigningAttributesOriginExternal)
	switch a.str("dkim_mode") {
	case dkimBYO:
		if r.DkimOrigin != external || r.DkimSelector != a.str("dkim_selector") {
			return false
		}
	case dkimEasy, "":
		if r.DkimOrigin == external || r.DkimOrigin == "" {
			return false
		}
		if n, ok := a.integer("dkim_key_length"); ok && n != r.DkimLength {
			return false
		}
	}
	return true
}

// markedIdentity is an identity the Tagging API's index shows with the
// stack's mark, with every tag the index holds for it.
type markedIdentity struct {
	Name string
	Tags map[string]string
}

// identityReads is how readIdentities learns each identity.
type identityReads struct {
	// Batch are read with the v1 batch reads, their tags and recorded
	// settings from the index.
	Batch []markedIdentity
	// Describe are read with GetEmailIdentity, one call each.
	Describe []string
	// Lookup are declared but not in the index: SES v1 tells which exist
	// (100 a call), and those are described.
	Lookup []string
}

// planIdentityReads decides how each identity is read: want are the declared
// identities by lower-case name, marked those the index shows with the
// stack's mark. A full refresh describes every identity; otherwise an
// identity is described only where the batch reads and its recorded
// settings could mislead the plan: an undeclared identity of the stack,
// which the plan deletes (so that one whose mark was removed since the index
// saw it is not planned for deletion), and a declared one whose TagSettings
// is missing, unreadable, or not what the spec asks (so that the plan shows
// a change only where SES confirms it), or that signs with BYODKIM: v1's
// GetIdentityDkimAttributes documents "the current status of Easy DKIM
// signing" only, so what it says of a BYODKIM identity is not relied on. A
// no-change plan of Easy DKIM domains and email addresses describes none.
func planIdentityReads(want map[string]specs.Resource, marked map[string]markedIdentity, full bool) identityReads {
	var out identityReads
	for _, key := range slices.Sorted(maps.Keys(marked)) {
		m := marked[key]
		r, declared := want[key]
		switch {
		case full || !declared:
			out.Describe = append(out.Describe, m.Name)
		default:
			rec, ok := parseRecorded(m.Tags[TagSettings])
			if ok && rec.answersDesired(r) && rec.DkimOrigin != string(types.DkimSigningAttributesOriginExternal) {
				out.Batch = append(out.Batch, m)
			} else {
				out.Describe = append(out.Describe, m.Name)
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		if _, ok := marked[key]; !ok {
			out.Lookup = append(out.Lookup, attrs(want[key].Attrs).str("identity"))
		}
	}
	return out
}

// batchStates reads ids with SES v1's verification, DKIM and MAIL FROM batch
// reads (v1BatchSize identities a call, 3 calls a batch) and returns the
// states of those that exist; an identity the index still shows but SES no
// longer holds is left out. Tags come from the index, and what only
// GetEmailIdentity returns from TagSettings.
func (p *Provider) batchStates(ctx context.Context, ids []markedIdentity) ([]identityState, error) {
	batches := (len(ids) + v1BatchSize - 1) / v1BatchSize
	states := make([][]identityState, batches)
	err := awscfg.Each(ctx, batches, func(ctx context.Context, b int) error {
		batch := ids[b*v1BatchSize : min((b+1)*v1BatchSize, len(ids))]
		names := make([]string, len(batch))
		for i, m := range batch {
			names[i] = m.Name
		}
		ver, err := p.v1.GetIdentityVerificationAttributes(ctx, &sesv1.GetIdentityVerificationAttributesInput{Identities: names})
		if err != nil {
			return fmt.Errorf("reading the verification status of %d SES identities: %w", len(names), err)
		}
		dkim, err := p.v1.GetIdentityDkimAttributes(ctx, &sesv1.GetIdentityDkimAttributesInput{Identities: names})
		if err != nil {
			return fmt.Errorf("reading the DKIM attributes of %d SES identities: %w", len(names), err)
		}
		mf, err := p.v1.GetIdentityMailFromDomainAttributes(ctx, &sesv1.GetIdentityMailFromDomainAttributesInput{Identities: names})
		if err != nil {
			return fmt.Errorf("reading the MAIL FROM attributes of %d SES identities: %w", len(names), err)
		}
		for _, m := range batch {
			v, exists := ver.VerificationAttributes[m.Name]
			if !exists {
				continue // deleted since the index saw it
			}
			s := identityState{
				Name:               m.Name,
				Type:               string(types.IdentityTypeDomain),
				VerificationStatus: v2Status(string(v.VerificationStatus)),
				Tags:               m.Tags,
				DkimKeySource:      m.Tags[TagDKIMKeyLocation],
			}
			if strings.Contains(m.Name, "@") {
				s.Type = string(types.IdentityTypeEmailAddress)
			}
			rec, _ := parseRecorded(m.Tags[TagSettings])
			s.ConfigSet = rec.ConfigSet
			if d, ok := dkim.DkimAttributes[m.Name]; ok {
				s.DkimStatus = v2Status(string(d.DkimVerificationStatus))
			}
			if d, ok := dkim.DkimAttributes[m.Name]; ok && s.isDomain() {
				s.DkimSigning = d.DkimEnabled
				s.DkimTokens = slices.Clone(d.DkimTokens)
				s.DkimOrigin, s.DkimKeyLength, s.DkimSelector = rec.DkimOrigin, rec.DkimLength, rec.DkimSelector
			}
			if a, ok := mf.MailFromDomainAttributes[m.Name]; ok {
				s.MailFromDomain = strings.TrimSuffix(aws.ToString(a.MailFromDomain), ".")
				if s.MailFromDomain != "" {
					s.MailFromStatus = v2Status(string(a.MailFromDomainStatus))
				}
				s.MailFromOnMx = v2Status(string(a.BehaviorOnMXFailure))
			}
			states[b] = append(states[b], s)
		}
		return nil
	})
	return slices.Concat(states...), err
}
