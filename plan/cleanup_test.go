package plan

import (
	"strings"
	"testing"

	"github.com/mailform/mailform/specs"
)

// TestExtraAddressesPlanAnUpdate: an Elastic IP whose mark is also on other
// addresses is updated even when its declared attributes match, so that
// apply releases the extras; without extras nothing changes.
func TestExtraAddressesPlanAnUpdate(t *testing.T) {
	desired := specs.Resource{Addr: "mta.mx1", Kind: specs.KindEIP, Attrs: map[string]any{"hostname": "mx1.acme.example."}}
	tests := []struct {
		name       string
		extras     any
		wantUpdate bool
	}{
		{"no extras", nil, false},
		{"empty list", []any{}, false},
		{"two extras", []any{"eipalloc-2", "eipalloc-3"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs := map[string]any{"hostname": "mx1.acme.example.", "allocation_id": "eipalloc-1", "public_ip": "198.51.100.1"}
			if tt.extras != nil {
				attrs["extra_allocation_ids"] = tt.extras
			}
			o := Observed{Addr: "mta.mx1", Kind: specs.KindEIP, ID: "eipalloc-1", Owner: stack, Attrs: attrs}
			c, changed := diffResource(desired, o, stack, false)
			if changed != tt.wantUpdate {
				t.Fatalf("changed = %v, want %v (%+v)", changed, tt.wantUpdate, c)
			}
			if !changed {
				return
			}
			if c.Action != Update || len(c.Diffs) != 0 {
				t.Errorf("action %s with diffs %v, want an update without attribute changes", c.Action, c.Diffs)
			}
			if !strings.Contains(c.Reason, "release 2 extra Elastic IPs with the same mark (eipalloc-2, eipalloc-3)") {
				t.Errorf("reason %q", c.Reason)
			}
		})
	}
}

// TestExtraAccessKeysPlanAnUpdate: an SMTP user with a key besides the
// stored one (a rotation whose old key was kept) is updated so that apply
// deletes it.
func TestExtraAccessKeysPlanAnUpdate(t *testing.T) {
	desired := specs.Resource{Addr: "smtp_user.webapp", Kind: specs.KindSMTPUser, Attrs: map[string]any{"user_name": "webapp"}}
	for _, extras := range []any{nil, []any{"AKIAOLD"}} {
		attrs := map[string]any{"user_name": "webapp", "access_key_id": "AKIANEW"}
		if extras != nil {
			attrs["extra_access_key_ids"] = extras
		}
		c, changed := diffResource(desired, Observed{Addr: "smtp_user.webapp", Kind: specs.KindSMTPUser, ID: "webapp", Owner: stack, Attrs: attrs}, stack, false)
		if changed != (extras != nil) {
			t.Fatalf("extras %v: changed = %v", extras, changed)
		}
		if changed && (c.Action != Update || c.Reason != "delete 1 access key(s) besides the stored one AKIANEW (AKIAOLD)") {
			t.Errorf("change %s, reason %q", c.Action, c.Reason)
		}
	}
}

// TestUntaggedSecretPlansAnUpdate: a resource whose stored secret lacks the
// tags plan reads instead of its value is updated, so that apply adds them.
func TestUntaggedSecretPlansAnUpdate(t *testing.T) {
	desired := specs.Resource{Addr: "dkim_key.mx1", Kind: specs.KindDKIMKey, Attrs: map[string]any{"location": "ssm:/k", "key_length": int64(2048)}}
	attrs := map[string]any{"location": "ssm:/k", "key_length": int64(2048)}
	o := Observed{Addr: "dkim_key.mx1", Kind: specs.KindDKIMKey, ID: "ssm:/k", Owner: stack, Attrs: attrs}
	if c, changed := diffResource(desired, o, stack, false); changed {
		t.Fatalf("tagged secret changed: %+v", c)
	}
	attrs[AttrSecretUntagged] = "ssm:/k"
	c, changed := diffResource(desired, o, stack, false)
	if !changed || c.Action != Update || !strings.Contains(c.Reason, "record in the tags of ssm:/k") {
		t.Errorf("untagged secret: changed %v, %+v", changed, c)
	}
}
