package iam

import (
	"reflect"
	"slices"
	"testing"
)

func TestPlanKeys(t *testing.T) {
	active := func(ids ...string) []accessKey {
		var out []accessKey
		for _, id := range ids {
			out = append(out, accessKey{id: id, active: true})
		}
		return out
	}
	del := func(why string, ids ...string) []keyDeletion {
		var out []keyDeletion
		for _, id := range ids {
			out = append(out, keyDeletion{id, why})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		state keyState
		want  keyPlan
	}{
		{
			name:  "a new user: no key, nothing stored",
			state: keyState{},
			want:  keyPlan{},
		},
		{
			name:  "the stored key works: nothing to do",
			state: keyState{keys: active("A"), stored: "A", storedFits: true},
			want:  keyPlan{current: "A", reuse: true},
		},
		{
			name:  "the stored key works beside others: settle, then delete the others",
			state: keyState{keys: active("A", "B"), stored: "B", storedFits: true},
			want:  keyPlan{current: "B", reuse: true, settle: true, remove: del("extra", "A")},
		},
		{
			name:  "rotation asked: a new key replaces the stored one",
			state: keyState{keys: active("A"), stored: "A", storedFits: true, rotate: true},
			want:  keyPlan{current: "A", replaced: []string{"A"}},
		},
		{
			name:  "the stored key is inactive: a new key replaces it",
			state: keyState{keys: []accessKey{{id: "A"}}, stored: "A", storedFits: true},
			want:  keyPlan{current: "A", replaced: []string{"A"}},
		},
		{
			name:  "the stored credentials are for another region: a new key replaces them",
			state: keyState{keys: active("A"), stored: "A"},
			want:  keyPlan{current: "A", replaced: []string{"A"}},
		},
		{
			name:  "keys whose secret is in no store are deleted first",
			state: keyState{keys: active("A", "B")},
			want:  keyPlan{remove: del("unstored", "A", "B")},
		},
		{
			name:  "the stored credentials name a key the user no longer has",
			state: keyState{keys: active("A"), stored: "Z", storedFits: true},
			want:  keyPlan{remove: del("unstored", "A")},
		},
		{
			name:  "a key stored at a former location stays until the new key works",
			state: keyState{keys: active("A", "B"), previous: []string{"B"}},
			want:  keyPlan{remove: del("unstored", "A"), replaced: []string{"B"}},
		},
		{
			name:  "two stored keys: the one not at the wanted location makes room",
			state: keyState{keys: active("A", "B"), stored: "B", previous: []string{"A"}, rotate: true},
			want:  keyPlan{current: "B", remove: del("superseded", "A"), replaced: []string{"B"}},
		},
		{
			name:  "two keys at former locations: the first makes room",
			state: keyState{keys: active("A", "B"), previous: []string{"A", "B"}},
			want:  keyPlan{remove: del("superseded", "A"), replaced: []string{"B"}},
		},
		{
			name:  "a reused key deletes keys stored at former locations too",
			state: keyState{keys: active("A", "B"), stored: "A", storedFits: true, previous: []string{"B"}},
			want:  keyPlan{current: "A", reuse: true, settle: true, remove: del("extra", "B")},
		},
	} {
		if got := planKeys(tc.state); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

func TestStrayKeys(t *testing.T) {
	now := []accessKey{{id: "A"}, {id: "N"}, {id: "X"}}
	for _, tc := range []struct {
		name string
		kept []string
		want []string
	}{
		{"the new key proven: all others go", nil, []string{"A", "X"}},
		{"the new key not yet proven: the replaced key stays", []string{"A"}, []string{"X"}},
	} {
		if got := strayKeys(now, "N", tc.kept); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
