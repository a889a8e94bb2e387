package sesdouble

import (
	"sort"
	"strings"
	"time"
)

// Tagged is one SES resource as the Resource Groups Tagging API's
// GetResources returns it: its ARN and all its tags.
type Tagged struct {
	ARN  string
	Tags map[string]string
}

// TaggedResources returns the tagged SES resources of region whose resource
// type ("ses:identity", "ses:configuration-set") is in types, or of every type
// when types is empty, sorted by ARN. GetResources "does not return untagged
// resources"; an identity created within the list lag (ListLagFunc) is left
// out, as the tag index, like SES's own lists, may not show it yet, and an
// identity whose tags changed within the lag shows its earlier tags.
func (d *Double) TaggedResources(region string, types []string) []Tagged {
	d.mu.Lock()
	defer d.mu.Unlock()
	rs := d.region(region)
	now := d.now()
	prefix := "arn:aws:ses:" + rs.name + ":" + d.opts.AccountID + ":"
	want := func(t string) bool {
		if len(types) == 0 {
			return true
		}
		for _, w := range types {
			if w == "ses" || w == t {
				return true
			}
		}
		return false
	}
	var out []Tagged
	add := func(arn string, tl tagList) {
		if len(tl) == 0 {
			return
		}
		m := make(map[string]string, len(tl))
		for _, t := range tl {
			m[t.Key] = t.Value
		}
		out = append(out, Tagged{ARN: arn, Tags: m})
	}
	if want("ses:identity") {
		for _, id := range rs.identities {
			if d.listed(id, now) {
				add(prefix+"identity/"+id.name, d.indexedTags(id, now))
			}
		}
	}
	if want("ses:configuration-set") {
		for _, cs := range rs.configSets {
			add(prefix+"configuration-set/"+cs.name, cs.tags)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

// IsSESResourceType reports whether a GetResources resource type filter
// ("ses", "ses:identity", ...) names SES resources.
func IsSESResourceType(t string) bool {
	return t == "ses" || strings.HasPrefix(t, "ses:")
}

// tagsChanging notes that the tags of the identity arn names are about to
// change: the index keeps showing the tags it had before, for the list lag.
// AWS documents no freshness for the Tagging API's index, so the double
// takes the inconvenient reading, as for SES's lists. Configuration sets are
// shown as they are.
func (d *Double) tagsChanging(rs *regionState, arn string) {
	if d.opts.ListLagFunc == nil {
		return
	}
	_, rest, ok := strings.Cut(arn, ":identity/")
	if !ok {
		return
	}
	id := rs.identities[identityKey(rest)]
	if id == nil {
		return
	}
	now := d.now()
	if d.tagsFresh(id, now) {
		// The index has caught up: it shows the tags until this change
		// reaches it. Within a window, it still shows the older ones.
		id.indexedTags = append(tagList{}, id.tags...)
	}
	id.tagsChangedAt = now
}

// tagsFresh reports whether the index shows the identity's current tags at now.
func (d *Double) tagsFresh(id *identity, now time.Time) bool {
	return d.opts.ListLagFunc == nil || id.tagsChangedAt.IsZero() || !now.Before(id.tagsChangedAt.Add(d.opts.ListLagFunc()))
}

// indexedTags are the tags the index shows of id at now.
func (d *Double) indexedTags(id *identity, now time.Time) tagList {
	if d.tagsFresh(id, now) {
		return id.tags
	}
	return id.indexedTags
}
