package plan

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/specs"
	"github.com/mailform/mailform/specs/kinds"
)

// Options say what a plan is for.
type Options struct {
	Stack   string   // the stack whose ownership mark makes a resource mailform's
	Region  string   // recorded in the plan; apply refuses a plan made for another region
	Destroy bool     // delete everything the stack owns, whatever the spec says
	Targets []string // limit the plan to these addresses, what is under them, and what they need
	Adopt   []string // existing unowned resources to take over (-adopt): these addresses and what is under them
	// Replace lists resources to replace although nothing changed (-replace):
	// an SMTP user gets a new access key and password, written to its secret
	// store before the old key is deleted.
	Replace []string
}

// ReplaceRequested is the Reason, in words, of a change that -replace asked
// for; providers recognise such a change by its CauseRequested, not by these
// words (an SMTP user rotates its key in place).
const ReplaceRequested = "replace requested with -replace"

// Make compares the desired resources of a spec with the observed state of AWS
// and returns the plan that makes AWS match, with diagnostics.
//
// Resources are matched by address. A declared resource that exists but is not
// the stack's is an error at its block, unless it is unowned and listed in
// opts.Adopt; a resource of another stack is never adoptable. Observed
// resources of the stack that the spec no longer declares are deleted (with
// opts.Destroy, all of them); resources that are not the stack's are never
// changed or deleted. Deferred values are filled from observed state first
// (Resolve). Records of domains whose DNS is elsewhere go into Plan.Manual.
//
// When the diagnostics hold errors, the plan leaves out the resources they are
// about and must not be applied.
func Make(desired []specs.Resource, observed []Observed, opts Options) (*Plan, hcl.Diagnostics) {
	p := &Plan{
		FormatVersion:   FormatVersion,
		Stack:           opts.Stack,
		Region:          opts.Region,
		Destroy:         opts.Destroy,
		Targets:         sortedUnique(opts.Targets),
		ResourceDigests: ResourceDigests(observed),
	}
	p.StateDigest = stateDigestOf(p.ResourceDigests)
	if opts.Stack == "" {
		var diags addrDiags
		diags.add("", &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No stack name",
			Detail:   "A plan needs the stack name (mailform { stack = \"...\" }) to tell what mailform owns.",
		})
		return p, diags.all()
	}
	if diags := refuseFormless(desired, observed); diags.HasErrors() {
		return p, diags
	}

	byAddr := map[string][]Observed{}
	for _, o := range observed {
		byAddr[o.Addr] = append(byAddr[o.Addr], o)
	}

	// Placeholders are filled from the live resource each address is compared
	// with (the stack's own before an unowned one).
	var sources []Observed
	for _, addr := range specs.SortedKeys(byAddr) {
		if o, found, _ := matchObserved(byAddr[addr], opts.Stack); found {
			sources = append(sources, o)
		}
	}

	// Values taken from a resource that the plan replaces are unknown: the new
	// resource gets a new ARN, new DKIM tokens. Plan again without those
	// resources as a source of values until no new replacement appears (a
	// replaced identity makes its DKIM record names unknown, which replaces
	// the records).
	var resolved []specs.Resource
	var d declaredPlan
	replaced := map[string]bool{}
	for {
		resolved = Resolve(desired, observedExcept(sources, replaced))
		sort.SliceStable(resolved, func(i, j int) bool { return resolved[i].Addr < resolved[j].Addr })
		d = planDeclared(resolved, byAddr, opts)
		grew := false
		for _, c := range d.changes {
			if c.Action == Replace && !replaced[c.Addr] {
				replaced[c.Addr] = true
				grew = true
			}
		}
		if !grew {
			break
		}
	}
	diags := d.diags
	changes := d.changes
	p.Manual = d.manual
	if !opts.Destroy {
		warnMissingValues(resolved, sources, changes, &diags)
		warnUnusedAdopt(opts.Adopt, d.adoptUsed, resolved, &diags)
	}
	for _, a := range sortedUnique(opts.Replace) {
		if !d.replaceUsed[a] {
			diags.add(a, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Nothing to replace at " + a,
				Detail:   "-replace names a resource that the spec declares and that exists in AWS with the stack's mark (for example smtp_user.webapp, to rotate its key); " + a + " is not one.",
			})
		}
	}

	// A declared resource can only need declared ones; a stale dependency on
	// something the plan deletes would otherwise tie the two in a cycle.
	for i, c := range changes {
		var deps []string
		for _, dep := range c.DependsOn {
			if d.declared[dep] {
				deps = append(deps, dep)
			}
		}
		changes[i].DependsOn = deps
	}
	changes = append(changes, deletes(byAddr, d.declared, opts, d.changeObserved, &diags)...)
	addDeleteDependencies(changes, d.changeObserved, observed)
	addCreateAfterDelete(changes)

	if len(p.Targets) > 0 {
		changes = limitToTargets(p, changes, resolved, observed, &diags)
	}
	refuseOtherRegion(observed, desired, opts, &diags)
	warnUnreadable(observed, desired, opts, &diags)
	warnNotes(observed, desired, opts, &diags)

	sort.SliceStable(changes, func(i, j int) bool { return changes[i].Addr < changes[j].Addr })
	sort.SliceStable(p.Manual, func(i, j int) bool { return p.Manual[i].Addr < p.Manual[j].Addr })
	p.Changes = changes
	return p, diags.all()
}

// refuseOtherRegion adds an error when resources of global services (IAM
// users, Route 53 records) carry the stack's mark for another region than the
// plan's: a stack lives in one region, and a plan for another would take the
// stack's global resources for its own, rotate or delete their keys, replace
// their records, and leave the regional resources behind. One error names
// the region and the resources, at the first declared one's block.
func refuseOtherRegion(observed []Observed, desired []specs.Resource, opts Options, diags *addrDiags) {
	if opts.Region == "" {
		return
	}
	declared := map[string]hcl.Range{}
	for _, r := range desired {
		declared[r.Addr] = r.DeclRange
	}
	byRegion := map[string][]Observed{}
	for _, o := range observed {
		if o.Owned(opts.Stack) && o.Region != "" && o.Region != opts.Region {
			byRegion[o.Region] = append(byRegion[o.Region], o)
		}
	}
	for _, region := range specs.SortedKeys(byRegion) {
		found := byRegion[region]
		sort.Slice(found, func(i, j int) bool { return found[i].Addr < found[j].Addr })
		var names []string
		var subject *hcl.Range
		for _, o := range found {
			if len(names) < 5 {
				names = append(names, fmt.Sprintf("%s (%s %s)", o.Addr, o.Kind, o.ID))
			}
			if rng, ok := declared[o.Addr]; ok && subject == nil {
				subject = &rng
			}
		}
		if len(found) > len(names) {
			names = append(names, fmt.Sprintf("and %d more", len(found)-len(names)))
		}
		diags.add("", &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Stack %s lives in %s, not %s", opts.Stack, region, opts.Region),
			Detail: fmt.Sprintf("These resources of global services carry the mark of stack %s in %s, and this plan is for %s: %s. A stack lives in one region; nothing was changed. "+
				"To use the stack, set region = %q in the mailform block (and drop -region). To move it, destroy it in %s first (mailform apply -destroy), or give the stack in %s another name.",
				opts.Stack, region, opts.Region, strings.Join(names, ", "), region, region, opts.Region),
			Subject: subject,
		})
	}
}

// warnUnreadable reports, at its block where the spec declares it, each
// resource of the stack that a provider could not read in full.
func warnUnreadable(observed []Observed, desired []specs.Resource, opts Options, diags *addrDiags) {
	declared := map[string]hcl.Range{}
	for _, r := range desired {
		declared[r.Addr] = r.DeclRange
	}
	for _, o := range observed {
		if o.Unreadable == "" || !o.Owned(opts.Stack) {
			continue
		}
		diag := &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  fmt.Sprintf("%s: cannot read %s", o.Addr, o.Unreadable),
			Detail:   "mailform plans this resource as if that part were missing, and the rest of the stack as usual. Make the location readable, or point the block at another location.",
		}
		if rng, ok := declared[o.Addr]; ok {
			diag.Subject = &rng
		}
		diags.add("", diag)
	}
}

// warnNotes reports, at its block where the spec declares it, what a
// provider noted of a resource of the stack while reading it.
func warnNotes(observed []Observed, desired []specs.Resource, opts Options, diags *addrDiags) {
	declared := map[string]hcl.Range{}
	for _, r := range desired {
		declared[r.Addr] = r.DeclRange
	}
	for _, o := range observed {
		if !o.Owned(opts.Stack) {
			continue
		}
		for _, note := range o.Notes {
			summary, detail, _ := strings.Cut(note, "\n")
			diag := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: o.Addr + ": " + summary, Detail: detail}
			if rng, ok := declared[o.Addr]; ok {
				diag.Subject = &rng
			}
			diags.add("", diag)
		}
	}
}

// warnMissingValues warns about placeholders that name live resources which
// lack the value. A resource the plan changes may well report it afterwards.
func warnMissingValues(resolved []specs.Resource, sources []Observed, changes []Change, diags *addrDiags) {
	changing := map[string]bool{}
	for _, c := range changes {
		changing[c.Addr] = true
	}
	// One index of the live state serves every resource: building it per
	// resource made plans grow with the square of the spec's size.
	live := map[string]Observed{}
	for _, o := range observedExcept(sources, changing) {
		live[o.Addr] = o
	}
	for _, r := range resolved {
		if diag := missingValue(r, live); diag != nil {
			diags.add(r.Addr, diag)
		}
	}
}

// warnUnusedAdopt warns about -adopt addresses that adopted nothing (a typo,
// or a resource that is already the stack's), naming the declared address
// a typo was meant to be.
func warnUnusedAdopt(adopt []string, used map[string]bool, declared []specs.Resource, diags *addrDiags) {
	var addrs []string
	for _, r := range declared {
		addrs = append(addrs, r.Addr)
	}
	// Suggestions cost an edit distance per declared address: an adoption
	// list of hundreds of stale addresses gets them for the first few only.
	suggestions := 20
	for _, a := range sortedUnique(adopt) {
		if !used[a] {
			hint := ""
			if suggestions > 0 && !slices.Contains(addrs, a) {
				suggestions--
				hint = specs.DidYouMean(a, addrs)
			}
			diags.add(a, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Nothing to adopt at " + a,
				Detail:   "-adopt names a resource that the spec declares and that exists in AWS without an ownership mark; " + a + " is not one." + hint,
			})
		}
	}
}

// limitToTargets keeps the changes a -target plan is about, drops the
// diagnostics about other resources, and notes the limit in the plan.
func limitToTargets(p *Plan, changes []Change, resolved []specs.Resource, observed []Observed, diags *addrDiags) []Change {
	changes = selectTargets(changes, p.Targets)
	p.Manual = selectManual(p.Manual, p.Targets)
	diags.keepOnly(targetScope(resolved, changes, p.Targets))
	for _, t := range p.Targets {
		if !matchesAny(t, resolved, observed) {
			diags.add("", &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "-target " + t + " matches nothing",
				Detail:   "No resource of the spec or of AWS has this address or is under it.",
			})
		}
	}
	p.Notes = append(p.Notes, fmt.Sprintf(
		"This plan is limited to -target %s and what it depends on; other changes may be pending. Run mailform plan without -target to see them all.",
		strings.Join(p.Targets, ", ")))
	return changes
}

// declaredPlan is the part of a plan that comes from the declared resources.
type declaredPlan struct {
	changes        []Change
	manual         []Change
	declared       map[string]bool
	adoptUsed      map[string]bool     // the -adopt addresses that adopted something
	replaceUsed    map[string]bool     // the -replace addresses that exist and are the stack's
	changeObserved map[string]Observed // the live resource behind each update, replace and delete
	diags          addrDiags
}

// planDeclared compares each declared resource with its live counterpart.
// Under Destroy nothing is declared.
func planDeclared(resolved []specs.Resource, byAddr map[string][]Observed, opts Options) declaredPlan {
	d := declaredPlan{declared: map[string]bool{}, adoptUsed: map[string]bool{}, replaceUsed: map[string]bool{}, changeObserved: map[string]Observed{}}
	if opts.Destroy {
		return d
	}
	for _, r := range resolved {
		if d.declared[r.Addr] {
			rng := r.DeclRange
			d.diags.add(r.Addr, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate resource address " + r.Addr,
				Detail:   "Two blocks of the spec expand to the same resource; give one of them another label.",
				Subject:  &rng,
			})
			continue
		}
		d.declared[r.Addr] = true
		if r.Kind == specs.KindManualDNSRecord {
			d.manual = append(d.manual, manualChange(r))
			continue
		}
		o, found, extra := matchObserved(byAddr[r.Addr], opts.Stack)
		if len(extra) > 0 {
			d.diags.add(r.Addr, duplicateWarning(r.Addr, o, extra))
		}
		if found && isSharedRecord(r) {
			if diag := foreignSPF(r, o, opts.Stack); diag != nil {
				d.diags.add(r.Addr, diag)
				continue
			}
		}
		var createReason string
		if found && isSharedRecord(r) && (Classify(o, opts.Stack) == Unowned || Classify(o, opts.Stack) == OwnedByOtherStack) {
			if adopted, ok := adoptSharedValue(r, o, opts.Stack, opts.Adopt); ok {
				o = adopted
			} else {
				// A shared set (the apex TXT) holds values of others: mailform
				// adds its own value beside them and owns only that value.
				found = false
				createReason = "adds mailform's value to the existing record set; the other values stay as they are"
			}
		}
		if found && o.Kind != r.Kind {
			rng := r.DeclRange
			d.diags.add(r.Addr, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("%s is a %s in AWS but the spec declares a %s", r.Addr, o.Kind, r.Kind),
				Detail:   "The ownership mark of an existing resource names this address for another kind of resource. Rename the block, or delete the old resource first.",
				Subject:  &rng,
			})
			continue
		}
		if !found {
			c := createChange(r)
			c.Reason = createReason
			if createReason != "" {
				c.Causes = []Cause{CauseSharedSet}
			}
			d.changes = append(d.changes, c)
			continue
		}
		adopting := false
		switch Classify(o, opts.Stack) {
		case Unowned, OwnedByOtherStack:
			adoptedBy := adoptingAddress(r.Addr, opts.Adopt)
			if diag := collision(r, o, opts.Stack, adoptedBy != ""); diag != nil {
				d.diags.add(r.Addr, diag)
				continue
			}
			adopting = true
			d.adoptUsed[adoptedBy] = true
		}
		c, changed := diffResource(r, o, opts.Stack, adopting)
		if slices.Contains(opts.Replace, r.Addr) {
			c = requestedReplace(r, o, c, changed)
			d.replaceUsed[r.Addr] = true
			changed = true
		}
		if changed && r.Kind == specs.KindSMTPUser {
			c.Reason = joinReasons(c.Reason, smtpKeyWords(c))
		}
		if changed {
			d.changes = append(d.changes, c)
			d.changeObserved[c.Addr] = o
		}
	}
	return d
}

// adoptingAddress returns the -adopt address that covers addr (addr itself or
// a block it is part of), or "".
func adoptingAddress(addr string, adopt []string) string {
	for _, a := range sortedUnique(adopt) {
		if underTarget(addr, a) {
			return a
		}
	}
	return ""
}

// observedExcept returns observed without the resources at the given addresses.
func observedExcept(observed []Observed, addrs map[string]bool) []Observed {
	if len(addrs) == 0 {
		return observed
	}
	var out []Observed
	for _, o := range observed {
		if !addrs[o.Addr] {
			out = append(out, o)
		}
	}
	return out
}

// deletes plans the removal of the stack's resources that the spec no longer
// declares (all of them under Destroy).
func deletes(byAddr map[string][]Observed, declared map[string]bool, opts Options, changeObserved map[string]Observed, diags *addrDiags) []Change {
	var out []Change
	for _, addr := range specs.SortedKeys(byAddr) {
		if declared[addr] {
			continue
		}
		if addr == "" {
			// A mark without an address cannot be matched to a block: say so
			// rather than delete what may be in use.
			for _, o := range byAddr[addr] {
				if Deletable(o, opts.Stack) {
					diags.add("", &hcl.Diagnostic{
						Severity: hcl.DiagWarning,
						Summary:  fmt.Sprintf("%s %s carries the mark of stack %s but no address", o.Kind, o.ID, opts.Stack),
						Detail:   fmt.Sprintf("mailform leaves it alone. Delete it, or tag it %s=<address> to let mailform manage it.", specs.TagAddr),
					})
				}
			}
			continue
		}
		var owned []Observed
		for _, o := range byAddr[addr] {
			if Deletable(o, opts.Stack) {
				owned = append(owned, o)
			}
		}
		if len(owned) == 0 {
			continue
		}
		o, _, extra := matchObserved(owned, opts.Stack)
		if len(extra) > 0 {
			diags.add(addr, duplicateWarning(addr, o, extra))
		}
		reason, causes := "no longer in the spec", []Cause{CauseRemoved}
		if opts.Destroy {
			reason, causes = "", nil // the plan as a whole says it
		}
		if note := secretDeletion(o.Kind, o.Attrs); note != "" {
			reason = strings.TrimPrefix(reason+"; "+note, "; ")
		}
		out = append(out, Change{
			Addr:   o.Addr,
			Kind:   o.Kind,
			Action: Delete,
			ID:     o.ID,
			Before: withoutSecretDigests(o.Attrs, kinds.SecretAttrs(o.Kind)),
			Reason: reason,
			Causes: causes,
		})
		changeObserved[o.Addr] = o
	}
	return out
}

// secretDeletion says what deleting a resource does to the secret it
// stored, so that a plan names every secret a deletion removes: SMTP
// credentials and DKIM keys in SSM are gone at once, in Secrets Manager they
// are scheduled for deletion and restorable for a while
// (docs/secrets.md); DKIM key files are left alone.
func secretDeletion(kind specs.Kind, attrs map[string]any) string {
	var loc string
	switch kind {
	case specs.KindSMTPUser:
		loc, _ = attrs["credentials"].(string)
	case specs.KindDKIMKey:
		loc, _ = attrs["location"].(string)
	}
	store, _, _ := strings.Cut(loc, ":")
	switch {
	case loc == "":
		return ""
	case store == "secretsmanager":
		return "schedules the secret " + loc + " for deletion (restorable during its recovery window; apply -force-delete-secrets deletes it at once)"
	case store == "file" && kind == specs.KindDKIMKey:
		return "keeps " + loc + " (a file carries no ownership mark)"
	case store == "file":
		return "deletes " + loc + " if it holds this user's credentials"
	}
	return "deletes the secret " + loc + " (SSM keeps no deleted parameter)"
}

func createChange(r specs.Resource) Change {
	after := copyAttrs(r.Attrs)
	var diffs []AttrDiff
	for _, k := range specs.SortedKeys(after) {
		v := after[k]
		if IsEmpty(v) {
			continue
		}
		diffs = append(diffs, AttrDiff{Name: k, After: v, Unknown: hasDeferred(v)})
	}
	return Change{
		Addr:      r.Addr,
		Kind:      r.Kind,
		Action:    Create,
		After:     after,
		Diffs:     diffs,
		DependsOn: sortedUnique(r.DependsOn),
		DeclRange: r.DeclRange,
	}
}

func manualChange(r specs.Resource) Change {
	return Change{
		Addr:      r.Addr,
		Kind:      r.Kind,
		Action:    Manual,
		After:     copyAttrs(r.Attrs),
		DependsOn: sortedUnique(r.DependsOn),
		DeclRange: r.DeclRange,
	}
}

// diffResource compares one declared resource with its live counterpart over
// the declared attributes only.
func diffResource(r specs.Resource, o Observed, stack string, adopting bool) (Change, bool) {
	after := copyAttrs(r.Attrs)
	before := withoutSecretDigests(o.Attrs, kinds.SecretAttrs(r.Kind))
	recordType := recordTypeOf(after)

	var diffs []AttrDiff
	var reasons, replacing, replacingWhy []string
	var causes []Cause
	if adopting {
		reasons = append(reasons, fmt.Sprintf("adopt: add the ownership mark of stack %s", stack))
		causes = append(causes, CauseAdopt)
	}
	for _, k := range specs.SortedKeys(after) {
		want := after[k]
		have, has := before[k]
		replaces := ForcesReplacement(r.Kind, k)
		fromReason, replacesFrom := replacementFrom(r.Kind, k, have, want)
		replaces = replaces || replacesFrom
		switch {
		case IsSensitive(want):
			if !has || have == nil {
				diffs = append(diffs, AttrDiff{Name: k, After: specs.Sensitive{}})
				reasons = append(reasons, "secret missing from "+secretLocation(after))
				causes = append(causes, CauseSecretMissing)
			}
			continue
		case hasDeferred(want):
			diffs = append(diffs, AttrDiff{Name: k, Before: have, After: want, Unknown: true, Replaces: replaces})
		case !sameValue(r.Kind, recordType, k, want, have):
			diffs = append(diffs, AttrDiff{Name: k, Before: have, After: want, Replaces: replaces})
		default:
			continue
		}
		switch {
		case replacesFrom:
			replacingWhy = append(replacingWhy, fromReason)
		case replaces:
			replacing = append(replacing, k)
		}
	}
	cleanup := cleanupReason(r.Kind, before)
	if cleanup != "" {
		reasons = append(reasons, cleanup)
		causes = append(causes, CauseCleanup)
	}
	if len(diffs) == 0 && !adopting && cleanup == "" {
		return Change{}, false
	}
	c := Change{
		Addr:      r.Addr,
		Kind:      r.Kind,
		Action:    Update,
		ID:        o.ID,
		Before:    before,
		After:     after,
		Diffs:     diffs,
		DependsOn: sortedUnique(r.DependsOn),
		Adopt:     adopting,
		DeclRange: r.DeclRange,
	}
	if len(replacing) > 0 {
		c.Action = Replace
		reasons = append(reasons, strings.Join(replacing, ", ")+" cannot change in place")
		causes = append(causes, CauseImmutable)
	}
	if len(replacingWhy) > 0 {
		c.Action = Replace
		reasons = append(reasons, replacingWhy...)
		causes = append(causes, CauseImmutable)
	}
	c.Reason = strings.Join(reasons, "; ")
	c.Causes = causes
	return c, true
}

// smtpKeyWords says, for a change of an SMTP user whose access key's
// password is held outside mailform (an adopted user's, observed
// kept_access_key_id), what becomes of that key and of the stored password,
// and what becomes of a sending policy of another name; "" otherwise.
func smtpKeyWords(c Change) string {
	var words []string
	if name, _ := c.Before["policy_name"].(string); name != "" {
		words = append(words, "its inline policy "+name+" becomes mailform's (same document, new name)")
	}
	kept, _ := c.Before["kept_access_key_id"].(string)
	loc, _ := c.After["credentials"].(string)
	switch {
	case kept == "":
	case c.Because(CauseRequested):
		words = append(words, fmt.Sprintf("a new access key, whose SMTP password is stored at %s; access key %s is deleted once AWS accepts the new one, and the password in use with it stops working", loc, kept))
	default:
		words = append(words, fmt.Sprintf("keeps access key %s: the SMTP password in use keeps working (mailform cannot read it), and nothing is stored at %s; apply -replace %s issues a new key and stores its password there", kept, loc, c.Addr))
	}
	return strings.Join(words, "; ")
}

func joinReasons(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// requestedReplace turns the planned change of r (or its absence) into the
// replacement the user asked for.
func requestedReplace(r specs.Resource, o Observed, c Change, changed bool) Change {
	if !changed {
		c = Change{
			Addr:      r.Addr,
			Kind:      r.Kind,
			ID:        o.ID,
			Before:    withoutSecretDigests(o.Attrs, kinds.SecretAttrs(r.Kind)),
			After:     copyAttrs(r.Attrs),
			DependsOn: sortedUnique(r.DependsOn),
			DeclRange: r.DeclRange,
		}
	}
	c.Action = Replace
	c.Causes = append([]Cause{CauseRequested}, c.Causes...)
	if c.Reason == "" {
		c.Reason = ReplaceRequested
	} else {
		c.Reason = ReplaceRequested + "; " + c.Reason
	}
	return c
}

// foreignSPF returns an error at r's block when r adds an SPF value to a
// shared TXT set that already holds another SPF value mailform does not own
// there: a name may publish only one SPF record (RFC 7208, section 3.2), and
// apply would refuse to add a second one after changing the rest.
func foreignSPF(r specs.Resource, o Observed, stack string) *hcl.Diagnostic {
	want := spfValues(r.Attrs["values"])
	if len(want) == 0 {
		return nil
	}
	keys := []string{"other_values"}
	if o.Owner != stack {
		// "values" holds the value the set's marker claims: the stack's own
		// (about to be updated, not a conflict) or another stack's.
		keys = append(keys, "values")
	}
	var others []string
	for _, key := range keys {
		for _, v := range spfValues(o.Attrs[key]) {
			if !slices.Contains(want, v) && !slices.Contains(others, v) {
				others = append(others, v)
			}
		}
	}
	if len(others) == 0 {
		return nil
	}
	name, _ := r.Attrs["name"].(string)
	rng := r.DeclRange
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("%s already publishes an SPF record that is not this stack's", strings.TrimSuffix(name, ".")),
		Detail: fmt.Sprintf("The TXT set of %s holds %q. A name may publish only one SPF record (RFC 7208, section 3.2), so mailform cannot add its own. "+
			"Merge what that record allows into the spec's spf block (include = [...]) and remove it from the zone, or drop the spf block and keep publishing the record yourself.",
			name, others[0]),
		Subject: &rng,
	}
}

// spfValues returns the SPF values (TXT texts starting with v=spf1) of a
// values attribute, unquoted.
func spfValues(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			continue
		}
		text := specs.UnquoteTXT(s)
		if strings.HasPrefix(strings.ToLower(text), "v=spf1") {
			out = append(out, text)
		}
	}
	return out
}

func isSharedRecord(r specs.Resource) bool {
	shared, _ := r.Attrs["shared"].(bool)
	return shared && r.Kind == specs.KindRoute53Record
}

func duplicateWarning(addr string, kept Observed, extra []Observed) *hcl.Diagnostic {
	ids := make([]string, len(extra))
	for i, o := range extra {
		ids[i] = o.ID
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  fmt.Sprintf("%d more resources in AWS carry the ownership mark of %s", len(extra), addr),
		Detail: fmt.Sprintf("mailform manages %s and leaves %s alone; they may be left over from an interrupted run. Delete them if they are not needed.",
			kept.ID, strings.Join(ids, ", ")),
	}
}

// addrDiags keeps diagnostics with the address they are about, so that a
// targeted plan reports only what concerns its targets.
type addrDiags struct {
	addrs []string
	diags hcl.Diagnostics
}

func (d *addrDiags) add(addr string, diag *hcl.Diagnostic) {
	d.addrs = append(d.addrs, addr)
	d.diags = append(d.diags, diag)
}

// keepOnly drops the diagnostics about addresses outside scope; diagnostics
// about no address stay.
func (d *addrDiags) keepOnly(scope map[string]bool) {
	var addrs []string
	var diags hcl.Diagnostics
	for i, a := range d.addrs {
		if a == "" || scope[a] {
			addrs = append(addrs, a)
			diags = append(diags, d.diags[i])
		}
	}
	d.addrs, d.diags = addrs, diags
}

func (d *addrDiags) all() hcl.Diagnostics { return d.diags }

func sortedUnique(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := append([]string(nil), in...)
	sort.Strings(out)
	j := 0
	for i, s := range out {
		if i == 0 || s != out[j-1] {
			out[j] = s
			j++
		}
	}
	return out[:j]
}

// missingValue warns about a placeholder of r that names a live resource
// which lacks the attribute: it would stay unknown for ever, and the plan
// would show the change again after every apply.
func missingValue(r specs.Resource, live map[string]Observed) *hcl.Diagnostic {
	var missing []string
	walkDeferred(r.Attrs, func(d specs.Deferred) {
		for _, ph := range d.Placeholders() {
			o, ok := live[ph.Addr]
			if !ok {
				continue // not created yet: known after apply
			}
			if _, ok := attrText(o.Attrs[ph.Attr], ph.Index); !ok {
				ref := ph.Addr + "#" + ph.Attr
				if ph.Index >= 0 {
					ref += fmt.Sprintf("[%d]", ph.Index)
				}
				missing = append(missing, ref)
			}
		}
	})
	if len(missing) == 0 {
		return nil
	}
	rng := r.DeclRange
	return &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  fmt.Sprintf("%s needs a value AWS does not report", r.Addr),
		Detail: fmt.Sprintf("%s exists in AWS, but %s is not there, so %s stays unknown and will show as a change after every apply. "+
			"Check the resource in AWS (for DKIM tokens: is DKIM signing set up for the identity?).",
			strings.Split(missing[0], "#")[0], strings.Join(sortedUnique(missing), ", "), r.Addr),
		Subject: &rng,
	}
}

func walkDeferred(v any, f func(specs.Deferred)) {
	switch x := v.(type) {
	case specs.Deferred:
		f(x)
	case []any:
		for _, e := range x {
			walkDeferred(e, f)
		}
	case map[string]any:
		for _, k := range specs.SortedKeys(x) {
			walkDeferred(x[k], f)
		}
	}
}
