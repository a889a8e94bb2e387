package ses

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDKIMSteps(t *testing.T) {
	const key = "ssm:///acme/dkim"
	easy := func(length int64) identityState {
		return identityState{Name: "acme.example", DkimSigning: true, DkimOrigin: "AWS_SES", DkimKeyLength: length, Tags: map[string]string{}}
	}
	byo := func(selector, source string, tagged bool) identityState {
		s := identityState{Name: "acme.example", DkimSigning: true, DkimOrigin: "EXTERNAL", DkimSelector: selector, DkimKeySource: source, Tags: map[string]string{}}
		if tagged {
			s.Tags[TagDKIMKeyLocation] = source
		}
		return s
	}
	off := func(s identityState) identityState { s.DkimSigning = false; return s }
	tests := []struct {
		name  string
		cur   identityState
		after map[string]any
		want  []dkimStep
	}{
		{name: "easy as wanted", cur: easy(2048), after: map[string]any{"dkim_mode": "easy", "dkim_key_length": int64(2048)}},
		{name: "easy, key length not named: left as it is", cur: easy(1024), after: map[string]any{"dkim_mode": "easy"}},
		{name: "easy, another key length named", cur: easy(1024), after: map[string]any{"dkim_key_length": int64(2048)},
			want: []dkimStep{{Kind: "easy", KeyLength: 2048}}},
		{name: "easy, another key length: a key location tag left on an Easy DKIM identity stays", cur: func() identityState { s := easy(1024); s.Tags[TagDKIMKeyLocation] = key; return s }(), after: map[string]any{"dkim_key_length": int64(2048)},
			want: []dkimStep{{Kind: "easy", KeyLength: 2048}}},
		{name: "byo to easy: default length, the key location tag goes", cur: byo("s1", key, true), after: map[string]any{"dkim_mode": "easy"},
			want: []dkimStep{{Kind: "easy", KeyLength: 2048, Untag: true}}},
		{name: "byo without the tag to easy", cur: byo("s1", key, false), after: map[string]any{"dkim_mode": "easy", "dkim_key_length": int64(1024)},
			want: []dkimStep{{Kind: "easy", KeyLength: 1024}}},
		{name: "off to easy: signing turned on", cur: off(easy(2048)), after: map[string]any{"dkim_mode": "easy"},
			want: []dkimStep{{Kind: "signing", Enabled: true}}},
		{name: "easy to byo", cur: easy(2048), after: map[string]any{"dkim_mode": "byo", "dkim_selector": "s1", "dkim_private_key": key},
			want: []dkimStep{{Kind: "byo", Selector: "s1", KeySource: key}}},
		{name: "byo as wanted", cur: byo("s1", key, true), after: map[string]any{"dkim_mode": "byo", "dkim_selector": "s1", "dkim_private_key": key}},
		{name: "byo, another selector", cur: byo("s1", key, true), after: map[string]any{"dkim_mode": "byo", "dkim_selector": "s2", "dkim_private_key": key},
			want: []dkimStep{{Kind: "byo", Selector: "s2", KeySource: key}}},
		{name: "byo, another key location", cur: byo("s1", key, true), after: map[string]any{"dkim_mode": "byo", "dkim_selector": "s1", "dkim_private_key": key + "2"},
			want: []dkimStep{{Kind: "byo", Selector: "s1", KeySource: key + "2"}}},
		{name: "off byo to byo: the key first, then signing on", cur: off(byo("s1", key, true)), after: map[string]any{"dkim_mode": "byo", "dkim_selector": "s2", "dkim_private_key": key},
			want: []dkimStep{{Kind: "byo", Selector: "s2", KeySource: key}, {Kind: "signing", Enabled: true}}},
		{name: "easy to off", cur: easy(2048), after: map[string]any{"dkim_mode": "off"},
			want: []dkimStep{{Kind: "signing", Enabled: false}}},
		{name: "off as wanted", cur: off(byo("s1", key, true)), after: map[string]any{"dkim_mode": "off"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.after["identity"] = "acme.example"
			want, err := parseDesired("domain.acme.example", tc.after)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, dkimSteps(tc.cur, want)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
		})
	}
}
