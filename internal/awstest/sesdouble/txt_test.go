package sesdouble

import "testing"

func TestTXTText(t *testing.T) {
	tests := []struct{ value, want string }{
		{`token123`, `token123`},
		{`"token123"`, `token123`},
		{`"v=DKIM1; k=rsa; " "p=MIIB"`, `v=DKIM1; k=rsa; p=MIIB`},
		{`"a\"b\\c"`, `a"b\c`},
		{`"star\052"`, `star*`},
		{`"\19"`, `19`},
	}
	for _, tc := range tests {
		if got := txtText(tc.value); got != tc.want {
			t.Errorf("txtText(%s) = %q, want %q", tc.value, got, tc.want)
		}
	}
}
