package specs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// validateBlocks checks the rules that need only the decoded blocks; they
// run even when other blocks have errors.
func (l *loader) validateBlocks() {
	for i := range l.spec.Domains {
		l.checkSPF(&l.spec.Domains[i])
		l.checkDMARCAlignment(&l.spec.Domains[i])
	}
}

// validateResources checks the rules that span blocks, on the expanded
// resources of a spec without errors.
func (l *loader) validateResources() {
	s := l.spec
	for _, cs := range s.ConfigurationSets {
		if n := s.awsName(cs.Label); len(n) > 64 {
			l.errorf(cs.Range, "Configuration set name too long", "The AWS name %q has %d characters; SES allows 64. Shorten the label or the stack name.", n, len(n))
		}
	}
	for _, u := range s.SMTPUsers {
		if len(u.UserName) > 64 {
			l.errorf(u.Range, "IAM user name too long", "The user name %q has %d characters; IAM allows 64. Set user_name, or shorten the label or the stack name.", u.UserName, len(u.UserName))
		}
	}
	for _, r := range s.Records {
		if r.Name == "_mailform" || strings.HasPrefix(r.Name, "_mailform.") {
			l.errorf(r.Range, "Reserved record name", "Names starting with \"_mailform.\" hold mailform's ownership markers; a record block cannot manage them.")
		}
	}
	l.checkRecordSets()
	l.checkAWSLimits()
}

// taggedKinds are the kinds whose AWS resources carry the mailform:addr tag.
var taggedKinds = []Kind{KindSESIdentity, KindSESConfigSet, KindSNSTopic, KindSQSQueue, KindSMTPUser, KindEIP, KindDKIMKey, KindAlarm}

// checkAWSLimits reports resources AWS would refuse for their tags or their
// policy size (awslimits.go), at the block that makes them.
func (l *loader) checkAWSLimits() {
	// A name already reported as invalid (on its block's first line) is
	// not reported again for its tag.
	reported := map[string]bool{}
	for _, d := range l.diags {
		if d.Severity == hcl.DiagError && d.Subject != nil {
			reported[fmt.Sprintf("%s:%d", d.Subject.Filename, d.Subject.Start.Line)] = true
		}
	}
	for _, r := range l.spec.resources {
		if slices.Contains(taggedKinds, r.Kind) && !reported[fmt.Sprintf("%s:%d", r.DeclRange.Filename, r.DeclRange.Start.Line)] {
			if p := tagValueProblem(r.Addr); p != "" {
				l.errorf(r.DeclRange, "Name too long or unusual for an AWS tag", "mailform tags what it creates for this block with its address in the %s tag (%q), and %s. Shorten the name or use a simpler one.", TagAddr, r.Addr, p)
			}
		}
		if r.Kind == KindSMTPUser {
			if doc, ok := r.Attrs["policy"].(string); ok {
				if n := policySize(doc); n > maxInlinePolicy {
					l.errorf(r.DeclRange, "SMTP user policy too large", "The inline policy mailform writes for %s has %d characters; IAM allows %d for a user's inline policies together. List fewer allowed_from addresses, or cover several with a wildcard such as \"*@acme.example\".", r.Addr, n, maxInlinePolicy)
				}
			}
		}
	}
}

// recordSet is a record set with a name known before apply.
type recordSet struct {
	res         *Resource
	name        string
	typ         string
	recordBlock bool // declared by a record block, not generated
}

func (r recordSet) fromRecordBlock() bool { return r.recordBlock }

// checkRecordSets finds record sets that two blocks both claim, SPF values
// that share a name, CNAMEs beside other records, and MAIL FROM domains that
// receive mail.
func (l *loader) checkRecordSets() {
	var sets []recordSet
	for i := range l.spec.resources {
		r := &l.spec.resources[i]
		if r.Kind != KindRoute53Record && r.Kind != KindManualDNSRecord {
			continue
		}
		name, ok := r.Attrs["name"].(string)
		if !ok {
			continue // a name known only after apply (Easy DKIM tokens)
		}
		sets = append(sets, recordSet{res: r, name: name, typ: r.Attrs["type"].(string), recordBlock: strings.HasPrefix(r.Addr, "record.")})
	}
	reported := map[*Resource]bool{}

	// MAIL FROM domains must not receive mail.
	mxRecords := map[string][]recordSet{}
	for _, set := range sets {
		if set.fromRecordBlock() && set.typ == "MX" {
			mxRecords[set.name] = append(mxRecords[set.name], set)
		}
	}
	for _, d := range l.spec.Domains {
		if d.MailFrom == nil || d.MailFrom.Domain == "" {
			continue
		}
		for _, set := range mxRecords[Fqdn(d.MailFrom.Domain)] {
			{
				l.errorf(d.MailFrom.subdomainRange, "MAIL FROM domain receives mail", "%s is the MAIL FROM domain of %s, and %s at %s gives it an MX for receiving. SES needs the only MX there to be 10 feedback-smtp.%s.amazonses.com, and a MAIL FROM domain must not receive mail: choose another subdomain (such as \"bounce\") or move the MX record.", d.MailFrom.Domain, d.Name, set.res.Addr, set.res.DeclRange.String(), l.spec.Region)
				reported[set.res] = true
			}
		}
	}

	// One SPF value per name.
	spfByName := map[string][]recordSet{}
	for _, set := range sets {
		if set.typ != "TXT" {
			continue
		}
		for _, v := range set.res.Attrs["values"].([]any) {
			text := strings.ToLower(strings.TrimSpace(valueText(v)))
			if _, isDeferred := v.(Deferred); !isDeferred {
				text = strings.ToLower(UnquoteTXT(valueText(v)))
			}
			if text == "v=spf1" || strings.HasPrefix(text, "v=spf1 ") {
				spfByName[set.name] = append(spfByName[set.name], set)
			}
		}
	}
	for _, name := range SortedKeys(spfByName) {
		list := spfByName[name]
		for _, later := range list[1:] {
			if reported[later.res] {
				continue
			}
			first := list[0]
			if first.res != later.res && first.res.Addr == later.res.Addr {
				continue // two blocks with one label: reported as a duplicate block
			}
			if first.res == later.res {
				l.errorf(later.res.DeclRange, "Two SPF values for one name", "%s lists two SPF values for %s. Receivers treat two SPF records as a permanent error, so SPF fails for all mail. Merge them into one value.", later.res.Addr, strings.TrimSuffix(name, "."))
				reported[later.res] = true
				continue
			}
			l.errorf(pickRange(later, first), "Two SPF values for one name", "%s would get two SPF values (from %s and %s). Receivers treat two SPF records as a permanent error, so SPF fails for all mail. Merge them into one: for a domain, list the extra terms in its spf block (include, ip4, ip6, mtas).", strings.TrimSuffix(name, "."), first.res.Addr, later.res.Addr)
			reported[later.res] = true
			reported[first.res] = true
		}
	}

	// A record set belongs to one block.
	byKey := map[string][]recordSet{}
	var keys []string
	for _, set := range sets {
		k := set.name + " " + set.typ
		if _, seen := byKey[k]; !seen {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], set)
	}
	for _, k := range keys {
		list := byKey[k]
		for _, later := range list[1:] {
			if reported[later.res] {
				continue
			}
			first := list[0]
			switch {
			case later.res.Addr == first.res.Addr:
				// Two blocks with one label: reported as a duplicate block.
			case later.fromRecordBlock() != first.fromRecordBlock():
				rec, gen := later, first
				if first.fromRecordBlock() {
					rec, gen = first, later
				}
				if reported[rec.res] {
					continue
				}
				l.errorf(rec.res.DeclRange, "Record set already managed", "%s manages the %s record set at %s (declared at %s). mailform writes that set for you; remove this record block, or change the block that generates it.", gen.res.Addr, gen.typ, strings.TrimSuffix(gen.name, "."), gen.res.DeclRange.String())
				reported[rec.res] = true
			default:
				l.errorf(later.res.DeclRange, "Two blocks generate one record set", "Both %s and %s would manage the %s record set at %s. Give them different names (a different hostname or selector).", first.res.Addr, later.res.Addr, later.typ, strings.TrimSuffix(later.name, "."))
				reported[later.res] = true
			}
		}
	}

	// No CNAME beside other records, nor at a zone apex.
	byName := map[string][]recordSet{}
	for _, set := range sets {
		byName[set.name] = append(byName[set.name], set)
	}
	for _, set := range sets {
		if set.typ != "CNAME" || reported[set.res] {
			continue
		}
		for _, other := range byName[set.name] {
			if other.typ != "CNAME" {
				l.errorf(set.res.DeclRange, "CNAME beside other records", "%s also has a %s record set (%s); DNS allows no other record at a name that has a CNAME. Use the target's records directly, or pick another name.", strings.TrimSuffix(set.name, "."), other.typ, other.res.Addr)
				reported[set.res] = true
				break
			}
		}
		if z := l.spec.ZoneFor(set.name); z != nil && Fqdn(z.Name) == set.name && !reported[set.res] {
			l.errorf(set.res.DeclRange, "CNAME at a zone apex", "%s is the apex of zone %s, which always holds SOA and NS records, so it cannot have a CNAME.", z.Name, z.Name)
			reported[set.res] = true
		}
	}
}

// pickRange points at the record block of a pair if there is one, since
// that is what the user wrote by hand.
func pickRange(a, b recordSet) hcl.Range {
	if !a.fromRecordBlock() && b.fromRecordBlock() {
		return b.res.DeclRange
	}
	return a.res.DeclRange
}

// checkDMARCAlignment warns when a domain publishes DMARC but mail that SES
// sends for it can align neither by DKIM nor by SPF.
func (l *loader) checkDMARCAlignment(d *Domain) {
	if d.DMARC == nil || !d.SESIdentity || d.DKIM.Mode != DKIMOff || d.MailFrom != nil {
		return
	}
	l.warnf(d.DMARC.Range, "DMARC cannot pass for mail SES sends", "%s publishes DMARC, but with dkim.mode = \"off\" and no mail_from block, SES mail from it is neither DKIM-signed for %s nor sent with a MAIL FROM under it, so receivers see a DMARC failure. Turn DKIM on or add a mail_from block.", d.Name, d.Name)
}
