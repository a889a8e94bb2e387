package policydoc

import (
	"slices"
	"testing"
)

func TestCanonicalSortsKeysAndKeepsAngleBrackets(t *testing.T) {
	b, err := Canonical(map[string]any{"b": "<x>", "a": []any{1, "&"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"a":[1,"&"],"b":"<x>"}`; got != want {
		t.Errorf("Canonical = %s, want %s", got, want)
	}
}

func TestSame(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":[2]}`, "{ \"b\": [2],\n \"a\": 1 }", true},
		{`{"a":1}`, `{"a":2}`, false},
		{`{"a":[1,2]}`, `{"a":[2,1]}`, false},
		{`not json`, `not json`, false},
		{``, `{}`, false},
	} {
		if got := Same(tc.a, tc.b); got != tc.want {
			t.Errorf("Same(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestStatements(t *testing.T) {
	one := map[string]any{"Sid": "x"}
	for _, tc := range []struct {
		name string
		doc  map[string]any
		want int
	}{
		{"list", map[string]any{"Statement": []any{one, one}}, 2},
		{"one object", map[string]any{"Statement": one}, 1},
		{"none", map[string]any{}, 0},
		{"wrong type", map[string]any{"Statement": "x"}, 0},
	} {
		if got := len(Statements(tc.doc)); got != tc.want {
			t.Errorf("%s: %d statements, want %d", tc.name, got, tc.want)
		}
	}
}

func TestContainsFold(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want bool
	}{
		{"SNS:Publish", true},
		{"sns:Subscribe", false},
		{[]any{"sns:Subscribe", "sns:publish"}, true},
		{[]any{1, "sns:Subscribe"}, false},
		{nil, false},
	} {
		if got := ContainsFold(tc.v, "sns:Publish"); got != tc.want {
			t.Errorf("ContainsFold(%v) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want []string
	}{
		{"a", []string{"a"}},
		{[]any{"a", 2, "b"}, []string{"a", "b"}},
		{3, nil},
	} {
		if got := Strings(tc.v); !slices.Equal(got, tc.want) {
			t.Errorf("Strings(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
