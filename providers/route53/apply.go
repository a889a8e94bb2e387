package route53

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/dnsvalue"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
)

// op is one change being applied.
type op struct {
	result *providers.Result
	change plan.Change
	zoneID string
	before *record // nil for a create
	bkey   setKey  // the set Before describes (from the change's ID)
	after  *record // nil for a delete
	err    error
	done   bool // nothing to send: the zone already is as wanted
}

func (o *op) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// names are the record names whose sets (and markers) the op changes.
func (o *op) names() []string {
	var out []string
	if o.before != nil {
		out = append(out, o.bkey.Name)
	}
	if o.after != nil && (o.before == nil || o.after.Name != o.bkey.Name) {
		out = append(out, o.after.Name)
	}
	return out
}

// Apply implements providers.Provider. The changes of each zone become one
// change batch (split only at Route 53's size limits, never inside one
// record name), made of exact DELETEs of what was read and CREATEs of what
// should be, markers included; then it waits for each batch to be INSYNC.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) []providers.Result {
	p.applyMu.Lock()
	defer p.applyMu.Unlock()
	results := make([]providers.Result, len(req.Changes))
	if err := (Marker{Stack: req.Stack, Type: "TXT", Addr: "a"}).valid(); err != nil {
		for i, c := range req.Changes {
			results[i] = providers.Result{Addr: c.Addr, Err: fmt.Errorf("stack name %q cannot be written in an ownership marker", req.Stack)}
		}
		return results
	}
	var ops []*op
	var refs []ZoneRef
	for i, c := range req.Changes {
		results[i].Addr = c.Addr
		o, err := parseChange(c)
		if err != nil {
			results[i].Err = err
			continue
		}
		o.result = &results[i]
		ops = append(ops, o)
		if o.zoneID == "" {
			refs = append(refs, o.after.Zone)
		}
	}
	if len(refs) > 0 {
		zones, err := p.resolveZones(ctx, refs)
		for _, o := range ops {
			if o.zoneID != "" {
				continue
			}
			if err != nil {
				o.fail(err)
				continue
			}
			o.zoneID = zones[o.after.Zone].ID
		}
	}
	byZone := map[string][]*op{}
	names := map[string]string{}
	for _, o := range ops {
		if o.err != nil {
			continue
		}
		byZone[o.zoneID] = append(byZone[o.zoneID], o)
		if o.before != nil && o.before.Zone.Name != "" {
			names[o.zoneID] = o.before.Zone.Name
		} else if o.after != nil && o.after.Zone.Name != "" {
			names[o.zoneID] = o.after.Zone.Name
		}
	}
	zoneIDs := make([]string, 0, len(byZone))
	for id := range byZone {
		zoneIDs = append(zoneIDs, id)
	}
	sort.Strings(zoneIDs)
	// Zones are independent: their batches go out awscfg.InFlight zones at
	// a time, within the account's pace. Waiting for INSYNC comes after all
	// are sent, so that the zones propagate together rather than one
	// after the other.
	sent := make([][]pendingChange, len(zoneIDs))
	_ = awscfg.Each(ctx, len(zoneIDs), func(_ context.Context, i int) error {
		// The parent context: one zone's failure must not cancel the others.
		id := zoneIDs[i]
		sent[i] = p.applyZone(ctx, req, zone{ID: id, Name: names[id]}, byZone[id])
		return nil
	})
	for _, zoneSent := range sent {
		for _, pc := range zoneSent {
			_ = p.waitPending(ctx, req, pc) // a failure is the ops' result
		}
	}
	for _, o := range ops {
		if o.err != nil {
			o.result.Err = o.err
			o.result.Observed = nil
		}
	}
	return results
}

// parseChange reads a plan.Change of kind route53.record.
func parseChange(c plan.Change) (*op, error) {
	o := &op{change: c}
	needBefore := c.Action == plan.Update || c.Action == plan.Replace || c.Action == plan.Delete
	needAfter := c.Action == plan.Create || c.Action == plan.Update || c.Action == plan.Replace
	if !needBefore && !needAfter {
		return nil, fmt.Errorf("Route 53 cannot carry out a %q change", c.Action)
	}
	if needBefore {
		zoneID, k, ok := parseObservedID(c.ID)
		if !ok {
			return nil, fmt.Errorf("change has no record set ID (want zoneID/name/type, got %q)", c.ID)
		}
		b, err := parseRecord(c.Addr, c.Before)
		if err != nil {
			return nil, err
		}
		o.zoneID, o.bkey, o.before = zoneID, k, &b
	}
	if needAfter {
		a, err := parseRecord(c.Addr, c.After)
		if err != nil {
			return nil, err
		}
		if a.Unknown != "" {
			return nil, fmt.Errorf("%s is still unknown; the resource it comes from must be created first", a.Unknown)
		}
		if a.Shared && len(a.Values) != 1 {
			return nil, fmt.Errorf("a shared record owns exactly one value, got %d", len(a.Values))
		}
		if len(a.Values) == 0 {
			return nil, fmt.Errorf("a record set needs at least one value")
		}
		if err := (Marker{Stack: "s", Type: a.Type, Addr: c.Addr}).valid(); err != nil {
			return nil, err
		}
		o.after = &a
		if o.before != nil && a.Zone.ID != "" && a.Zone.ID != o.zoneID {
			return nil, fmt.Errorf("moving a record set to another zone (%s to %s) is a delete and a create, not an update", o.zoneID, a.Zone.ID)
		}
	}
	return o, nil
}

// layer is a view of a zone's record sets with pending writes over it.
type layer struct {
	parent *layer
	base   map[setKey]*rrset
	over   map[setKey]*rrset // nil value: deleted
}

func (l *layer) get(k setKey) *rrset {
	if s, ok := l.over[k]; ok {
		return s
	}
	if l.parent != nil {
		return l.parent.get(k)
	}
	return l.base[k]
}

func (l *layer) put(k setKey, s *rrset) { l.over[k] = s }

func (l *layer) child() *layer { return &layer{parent: l, over: map[setKey]*rrset{}} }

func (l *layer) commit() {
	for k, s := range l.over {
		l.parent.over[k] = s
	}
}

func markerKey(name string) setKey { return setKey{Name: MarkerName(name), Type: "TXT"} }

// findMarker returns the stack's marker for the set k made by addr.
func findMarker(l *layer, k setKey, stack, addr string) *Marker {
	ms := l.get(markerKey(k.Name))
	if ms == nil {
		return nil
	}
	for _, v := range ms.values() {
		if m, ok := ParseMarker(v); ok && m.Stack == stack && m.Type == k.Type && m.Addr == addr {
			return &m
		}
	}
	return nil
}

// wholeOwner is the stack whose marker claims the whole set k, if any.
func wholeOwner(l *layer, k setKey) string {
	ms := l.get(markerKey(k.Name))
	if ms == nil {
		return ""
	}
	for _, v := range ms.values() {
		if m, ok := ParseMarker(v); ok && m.Type == k.Type && m.Value == "" {
			return m.Stack
		}
	}
	return ""
}

func removeMarker(l *layer, k setKey, stack, addr string) {
	mk := markerKey(k.Name)
	ms := l.get(mk)
	if ms == nil {
		return
	}
	var keep []string
	for _, v := range ms.values() {
		if m, ok := ParseMarker(v); ok && m.Stack == stack && m.Type == k.Type && m.Addr == addr {
			continue
		}
		keep = append(keep, v)
	}
	if len(keep) == 0 {
		l.put(mk, nil)
		return
	}
	l.put(mk, newSet(aws.ToString(ms.raw.Name), "TXT", ms.ttl(), keep))
}

func addMarker(l *layer, name string, m Marker) {
	mk := markerKey(name)
	ms := l.get(mk)
	value := m.Format()
	var vals []string
	ttl, raw := int64(MarkerTTL), MarkerName(name)
	if ms != nil {
		vals, ttl, raw = ms.values(), ms.ttl(), aws.ToString(ms.raw.Name)
	}
	var keep []string
	for _, v := range vals {
		if v == value {
			return
		}
		// The same claim written before the region was recorded gives way
		// to this one.
		if old, ok := ParseMarker(v); ok && old.claims(m) {
			continue
		}
		keep = append(keep, v)
	}
	l.put(mk, newSet(raw, "TXT", ttl, append(keep, value)))
}

// without returns values of type rtype less those in remove, and whether
// every value of remove was there. Values are compared in canonical form
// (dnsvalue.Value): Route 53 returns a value as it was written, with or
// without a CNAME's final dot, and remove holds the plan's canonical forms.
// rest keeps the values as Route 53 holds them.
func without(rtype string, values, remove []string) (rest []string, allFound bool) {
	drop := map[string]bool{}
	for _, r := range remove {
		drop[dnsvalue.Value(rtype, r)] = true
	}
	found := map[string]bool{}
	for _, v := range values {
		if c := dnsvalue.Value(rtype, v); drop[c] {
			found[c] = true
			continue
		}
		rest = append(rest, v)
	}
	return rest, len(found) == len(drop)
}

func describe(s *rrset) string {
	if s == nil {
		return "absent"
	}
	return fmt.Sprintf("TTL %d, values %s", s.ttl(), strings.Join(s.values(), " "))
}

func isSPF(rtype, value string) bool {
	return rtype == "TXT" && strings.HasPrefix(strings.ToLower(strings.TrimLeft(value, `"`)), "v=spf1")
}

// changeOutside is the error for a set that differs from what plan saw.
func changedOutside(k setKey, now *rrset, want string) error {
	return fmt.Errorf("record set %s changed outside mailform since it was read (now %s; expected %s): run plan again", k, describe(now), want)
}

// applyOp writes one change into l, refusing to touch what stack does not own.
func applyOp(l *layer, stack, region string, o *op) error {
	addr := o.change.Addr
	if b := o.before; b != nil {
		k := o.bkey
		cur := l.get(k)
		if o.change.Adopt {
			// -adopt: the set was made by hand; the batch adds the stack's
			// marker. A set another stack marks is never adoptable.
			if other := wholeOwner(l, k); other != "" && other != stack {
				return fmt.Errorf("record set %s belongs to stack %s and cannot be adopted", k, other)
			}
		} else if findMarker(l, k, stack, addr) == nil {
			return fmt.Errorf("record set %s carries no ownership marker of stack %s; mailform changes only what it owns", k, stack)
		}
		if cur != nil && !cur.simple() {
			return fmt.Errorf("record set %s is now an alias or has a routing policy; mailform does not manage it", k)
		}
		if !b.Shared && cur == nil && len(b.Values) == 0 {
			// Observed as gone (a marker left behind): nothing to delete.
		} else if !b.Shared {
			want := newSet(k.Name, k.Type, b.TTL, b.Values)
			if cur == nil || cur.ttl() != b.TTL || !slices.Equal(dnsvalue.Values(k.Type, cur.values()), dnsvalue.Values(k.Type, want.values())) {
				return changedOutside(k, cur, describe(want))
			}
			l.put(k, nil)
		} else if cur != nil {
			rest, found := without(k.Type, cur.values(), b.Values)
			if !found {
				return changedOutside(k, cur, "a set holding "+strings.Join(b.Values, " "))
			}
			if len(rest) == 0 {
				l.put(k, nil)
			} else {
				l.put(k, newSet(aws.ToString(cur.raw.Name), k.Type, cur.ttl(), rest))
			}
		} else if len(b.Values) > 0 {
			return changedOutside(k, nil, "a set holding "+strings.Join(b.Values, " "))
		}
		removeMarker(l, k, stack, addr)
	}
	if a := o.after; a != nil {
		k := a.key()
		cur := l.get(k)
		if cur != nil && !cur.simple() {
			return fmt.Errorf("record set %s is an alias or has a routing policy; mailform does not manage it", k)
		}
		if !a.Shared {
			if cur != nil {
				m := findMarker(l, k, stack, addr)
				if m == nil || m.Value != "" {
					return fmt.Errorf("record set %s already exists and is not owned by stack %s", k, stack)
				}
				// Ours already: a run cut short after its batch was sent.
			}
			l.put(k, newSet(a.Name, a.Type, a.TTL, a.Values))
			addMarker(l, k.Name, Marker{Stack: stack, Type: k.Type, Addr: addr, Region: region})
			return nil
		}
		if whole := wholeOwner(l, k); whole != "" {
			return fmt.Errorf("record set %s belongs whole to stack %s; a value added to it would be removed by that stack's next apply", k, whole)
		}
		value := a.Values[0]
		var vals []string
		raw := a.Name
		if cur != nil {
			vals, raw = cur.values(), aws.ToString(cur.raw.Name)
		}
		present := false
		for _, v := range vals {
			switch {
			case v == value:
				present = true
			case isSPF(k.Type, value) && isSPF(k.Type, v):
				return fmt.Errorf("the TXT set %s already holds the SPF value %s, which stack %s does not own; a name may publish only one SPF record: remove that value or merge it into the spec", k.Name, v, stack)
			}
		}
		if !present {
			vals = append(vals, value)
		}
		// A shared set takes the TTL the spec gives it; the values of others
		// are kept exactly.
		l.put(k, newSet(raw, k.Type, a.TTL, vals))
		addMarker(l, k.Name, Marker{Stack: stack, Type: k.Type, Addr: addr, Value: ValueDigest(k.Type, value), Region: region})
	}
	return nil
}

// unit is the part of a change batch for some record names: it is never
// split across batches, so a record set and its marker change together.
type unit struct {
	names   []string
	deletes []types.Change
	creates []types.Change
	keys    map[setKey]*rrset // the sets' states once applied (nil: deleted)
	ops     []*op
	records int
	chars   int
}

func (u *unit) changes() []types.Change {
	return append(append([]types.Change{}, u.deletes...), u.creates...)
}

func (u *unit) add(action types.ChangeAction, s *rrset) {
	c := types.Change{Action: action, ResourceRecordSet: &s.raw}
	n := len(s.raw.ResourceRecords)
	chars := 0
	for _, r := range s.raw.ResourceRecords {
		chars += len(aws.ToString(r.Value))
	}
	if action == types.ChangeActionUpsert {
		n, chars = 2*n, 2*chars
	}
	u.records += n
	u.chars += chars
	if action == types.ChangeActionDelete {
		u.deletes = append(u.deletes, c)
	} else {
		u.creates = append(u.creates, c)
	}
}

// ownerName is the record name a set's changes are grouped under: markers go
// with the sets they mark.
func ownerName(k setKey) string {
	if n, ok := isMarkerName(k.Name); ok && k.Type == "TXT" {
		return n
	}
	return k.Name
}

// units groups the differences between st and work by record name, joining
// the names that one op changes together.
func units(st *zoneState, work *layer, ops []*op) []*unit {
	parent := map[string]string{}
	var find func(string) string
	find = func(n string) string {
		if p, ok := parent[n]; ok && p != n {
			r := find(p)
			parent[n] = r
			return r
		}
		parent[n] = n
		return n
	}
	union := func(a, b string) {
		ra, rb := find(a), find(b)
		if ra != rb {
			if rb < ra {
				ra, rb = rb, ra
			}
			parent[rb] = ra
		}
	}
	for _, o := range ops {
		ns := o.names()
		for _, n := range ns[1:] {
			union(ns[0], n)
		}
	}
	keys := make([]setKey, 0, len(work.over))
	for k := range work.over {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Name != keys[j].Name {
			return keys[i].Name < keys[j].Name
		}
		return keys[i].Type < keys[j].Type
	})
	byRoot := map[string]*unit{}
	for _, k := range keys {
		old, now := st.sets[k], work.over[k]
		if sameSet(old, now) {
			continue
		}
		root := find(ownerName(k))
		u := byRoot[root]
		if u == nil {
			u = &unit{keys: map[setKey]*rrset{}}
			byRoot[root] = u
		}
		u.keys[k] = now
		if old != nil {
			u.add(types.ChangeActionDelete, old)
		}
		if now != nil {
			u.add(types.ChangeActionCreate, now)
		}
	}
	for _, o := range ops {
		if o.err != nil {
			continue
		}
		u := byRoot[find(o.names()[0])]
		if u == nil {
			o.done = true
			continue
		}
		u.ops = append(u.ops, o)
	}
	roots := make([]string, 0, len(byRoot))
	for r := range byRoot {
		roots = append(roots, r)
	}
	sort.Strings(roots)
	out := make([]*unit, len(roots))
	for i, r := range roots {
		out[i] = byRoot[r]
		out[i].names = []string{r}
	}
	return out
}

// batches packs units, in order, into as few change batches as Route 53's
// limits allow. A unit too large for any batch is returned in tooLarge.
func batches(us []*unit) (out [][]*unit, tooLarge []*unit) {
	var cur []*unit
	records, chars := 0, 0
	for _, u := range us {
		if u.records > MaxBatchRecords || u.chars > MaxBatchValueChars {
			tooLarge = append(tooLarge, u)
			continue
		}
		if len(cur) > 0 && (records+u.records > MaxBatchRecords || chars+u.chars > MaxBatchValueChars) {
			out = append(out, cur)
			cur, records, chars = nil, 0, 0
		}
		cur = append(cur, u)
		records += u.records
		chars += u.chars
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out, tooLarge
}

// pendingChange is a change batch Route 53 accepted but had not yet
// propagated (PENDING) when it answered.
type pendingChange struct {
	id   string
	zone zone
	ops  []*op
}

// applyZone sends the ops of one zone, batch after batch without waiting
// for INSYNC in between, and returns the batches that are still PENDING.
func (p *Provider) applyZone(ctx context.Context, req providers.ApplyRequest, z zone, ops []*op) []pendingChange {
	st, err := p.state(ctx, z)
	if err != nil {
		for _, o := range ops {
			o.fail(err)
		}
		return nil
	}
	if z.Name == "" || st.zone.Name != "" {
		z = st.zone
	}
	sort.SliceStable(ops, func(i, j int) bool { return opOrder(ops[i]) < opOrder(ops[j]) })
	work := &layer{base: st.sets, over: map[setKey]*rrset{}}
	for _, o := range ops {
		if o.after != nil && !inZone(o.after.Name, z.Name) {
			o.fail(fmt.Errorf("%s is not inside zone %s", o.after.Name, z.Name))
			continue
		}
		trial := work.child()
		if err := applyOp(trial, req.Stack, req.Region, o); err != nil {
			o.fail(err)
			continue
		}
		trial.commit()
	}
	us := units(st, work, ops)
	bs, tooLarge := batches(us)
	for _, u := range tooLarge {
		for _, o := range u.ops {
			o.fail(fmt.Errorf("the changes at %s need %d records and %d characters, more than one Route 53 change batch takes (%d, %d)", u.names[0], u.records, u.chars, MaxBatchRecords, MaxBatchValueChars))
		}
	}
	failed := false
	var pending []pendingChange
	for _, b := range bs {
		// The next batch goes out at once: a PENDING change does not hold
		// up the zone. Route 53 answers PriorRequestNotComplete only while
		// it is still processing the previous request, and the SDK retries
		// that (awscfg.MaxAttempts). Every batch is waited for after all
		// zones are sent.
		id, err := p.send(ctx, req, z, b)
		if err != nil {
			failed = true
			continue
		}
		if id != "" {
			pc := pendingChange{id: id, zone: z}
			for _, u := range b {
				pc.ops = append(pc.ops, u.ops...)
			}
			pending = append(pending, pc)
		}
		p.mu.Lock()
		for _, u := range b {
			for k, s := range u.keys {
				if s == nil {
					delete(st.sets, k)
				} else {
					st.sets[k] = s
				}
			}
		}
		p.mu.Unlock()
	}
	if failed {
		p.forget(z.ID)
	}
	for _, o := range ops {
		if o.err != nil || o.after == nil {
			continue
		}
		s := work.get(o.after.key())
		if s == nil {
			continue
		}
		digest := ""
		if o.after.Shared {
			digest = ValueDigest(o.after.Type, o.after.Values[0])
		}
		obs := observe(z, s, o.change.Addr, req.Stack, o.after.Shared, digest)
		o.result.Observed = &obs
		if o.done {
			o.result.Message = "already in place"
		}
	}
	return pending
}

// opOrder sorts deletes first, then updates, then creates, so that a record
// moving from one address to another is released before it is claimed; by
// name, type and address within each.
func inZone(name, zoneName string) bool {
	return zoneName == "" || name == zoneName || strings.HasSuffix(name, "."+zoneName)
}

func opOrder(o *op) string {
	phase := "1"
	k := o.bkey
	switch {
	case o.after == nil:
		phase = "0"
	case o.before == nil:
		phase, k = "2", o.after.key()
	}
	return phase + k.Name + "\x00" + k.Type + "\x00" + o.change.Addr
}

// nameInMessage finds the record names Route 53 names in an InvalidChangeBatch
// message: "[name='x.example.', type='TXT']", or "RRSet with DNS name x.example.".
var nameInMessage = regexp.MustCompile(`name='([^']+)'|DNS name ([^ ,]+)`)

// send submits one change batch and returns the ID of the change when Route
// 53 reports it PENDING, "" when it is INSYNC already. On failure it gives
// each op of the batch its error and returns non-nil.
func (p *Provider) send(ctx context.Context, req providers.ApplyRequest, z zone, b []*unit) (string, error) {
	var changes []types.Change
	for _, u := range b {
		changes = append(changes, u.changes()...)
	}
	out, err := p.api.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(z.ID),
		ChangeBatch: &types.ChangeBatch{
			Comment: aws.String("mailform stack " + req.Stack),
			Changes: changes,
		},
	})
	if err != nil {
		p.blame(b, err)
		return "", err
	}
	if out.ChangeInfo == nil || out.ChangeInfo.Status == types.ChangeStatusInsync {
		return "", nil
	}
	return aws.ToString(out.ChangeInfo.Id), nil
}

// waitPending waits for an accepted change to be INSYNC and reports whether
// it is. If waiting fails, the change's ops fail and what is known of the
// zone is dropped.
func (p *Provider) waitPending(ctx context.Context, req providers.ApplyRequest, pc pendingChange) bool {
	for _, o := range pc.ops {
		req.Report(o.change.Addr, fmt.Sprintf("waiting for Route 53 change %s to be INSYNC", pc.id))
	}
	if err := p.waitInsync(ctx, pc.id); err != nil {
		for _, o := range pc.ops {
			o.fail(fmt.Errorf("Route 53 accepted change %s, but waiting for it to be INSYNC failed: %w", pc.id, err))
		}
		p.forget(pc.zone.ID)
		return false
	}
	return true
}

// blame gives each op of a rejected batch its error, each of Route 53's
// messages once: the ops whose records a message names get it; a message
// that names no record of the batch (a limit of the whole batch) goes to the
// batch's first op; the others are told they were not applied because of
// those. Errors other than InvalidChangeBatch go to every op.
func (p *Provider) blame(b []*unit, err error) {
	explained := awscfg.Explain(err)
	var icb *types.InvalidChangeBatch
	if !errors.As(err, &icb) {
		for _, u := range b {
			for _, o := range u.ops {
				o.fail(fmt.Errorf("Route 53 rejected the change batch: %w", explained))
			}
		}
		return
	}
	named := map[*unit][]string{}
	var whole []string // messages naming no record of the batch
	for _, msg := range batchMessages(icb) {
		hit := false
		for _, u := range b {
			if unitNamed(u, msg) {
				named[u] = append(named[u], msg)
				hit = true
			}
		}
		if !hit {
			whole = append(whole, msg)
		}
	}
	var first *op
	for _, u := range b {
		if len(u.ops) > 0 {
			first = u.ops[0]
			break
		}
	}
	var culprits []string
	for _, u := range b {
		for _, o := range u.ops {
			if named[u] != nil || (o == first && len(whole) > 0) {
				culprits = append(culprits, o.change.Addr)
			}
		}
	}
	for _, u := range b {
		for _, o := range u.ops {
			var parts []string
			if named[u] != nil {
				parts = append(parts, "Route 53 rejected this change: "+strings.Join(named[u], "; "))
			}
			if o == first && len(whole) > 0 {
				parts = append(parts, "Route 53 rejected the change batch: "+strings.Join(whole, "; "))
			}
			text := strings.Join(parts, "; ")
			if text == "" {
				text = "not applied: Route 53 rejected the change batch because of " + strings.Join(culprits, ", ")
			}
			o.fail(&rejection{text: text, err: explained})
		}
	}
}

// rejection is what one op reports of a refused change batch: its text
// says Route 53's messages once (the SDK's error repeats them all), and it
// unwraps to the SDK's error.
type rejection struct {
	text string
	err  error
}

func (r *rejection) Error() string { return r.text }
func (r *rejection) Unwrap() error { return r.err }

// unitNamed tells whether a Route 53 message names a record of u.
func unitNamed(u *unit, msg string) bool {
	for _, m := range nameInMessage.FindAllStringSubmatch(msg, -1) {
		n := m[1]
		if n == "" {
			n = m[2]
		}
		n = dnsvalue.Name(n)
		for uk := range u.keys {
			if uk.Name == n || ownerName(uk) == n {
				return true
			}
		}
	}
	return false
}

// batchMessages returns each problem Route 53 reports in an
// InvalidChangeBatch. Since 2024 Route 53 answers the generic error document
// with every problem in one Message, "[m1, m2]" (aws/aws-sdk-kotlin#1433);
// before, its own document listed them in Messages.
func batchMessages(icb *types.InvalidChangeBatch) []string {
	if len(icb.Messages) > 0 {
		return icb.Messages
	}
	return splitMessageList(aws.ToString(icb.Message))
}

// splitMessageList splits "[m1, m2]" into its messages: at each ", " outside
// brackets that starts a new sentence (a capital letter; the messages quote
// names in brackets and values that may hold ", "). Text not in that form is
// one message.
func splitMessageList(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return []string{s}
	}
	inner := s[1 : len(s)-1]
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 && strings.HasPrefix(inner[i:], ", ") && i+2 < len(inner) && inner[i+2] >= 'A' && inner[i+2] <= 'Z' {
				out = append(out, inner[start:i])
				start = i + 2
			}
		}
		if depth < 0 {
			return []string{s}
		}
	}
	if depth != 0 {
		return []string{s}
	}
	return append(out, inner[start:])
}

// waitInsync polls GetChange until the change is INSYNC.
func (p *Provider) waitInsync(ctx context.Context, id string) error {
	for {
		got, err := p.api.GetChange(ctx, &route53.GetChangeInput{Id: aws.String(id)})
		if err != nil {
			return awscfg.Explain(err)
		}
		if got.ChangeInfo != nil && got.ChangeInfo.Status == types.ChangeStatusInsync {
			return nil
		}
		if p.opts.PollInterval > 0 {
			if err := awscfg.Sleep(ctx, p.opts.PollInterval); err != nil {
				return err
			}
		} else if err := ctx.Err(); err != nil {
			return err
		}
	}
}
