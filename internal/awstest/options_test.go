package awstest

import (
	"testing"
	"time"
)

func TestScaledDelays(t *testing.T) {
	cases := []struct {
		scale float64
		in    time.Duration
		want  time.Duration
	}{
		{0, time.Minute, time.Minute},
		{1, time.Minute, time.Minute},
		{60, time.Minute, time.Second},
		{1000, 20 * time.Millisecond, 20 * time.Microsecond},
		{-5, time.Second, time.Second},
	}
	for _, tc := range cases {
		got := Options{TimeScale: tc.scale}.Scaled(tc.in)
		if got != tc.want {
			t.Errorf("TimeScale %v: Scaled(%v) = %v, want %v", tc.scale, tc.in, got, tc.want)
		}
	}
}

func TestFaultSpecString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"seed=3", ""},
		{"route53:*=throttle@0.5, seed=9 ,ec2:AllocateAddress=cut#1", "seed=9,route53:*=throttle@0.5,ec2:AllocateAddress=cut#1"},
	}
	for _, tc := range cases {
		spec, err := ParseFaultSpec(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := spec.String(); got != tc.want {
			t.Errorf("ParseFaultSpec(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
		again, err := ParseFaultSpec(spec.String())
		if err != nil || again.String() != spec.String() {
			t.Errorf("%q does not parse back to itself: %q, %v", spec.String(), again.String(), err)
		}
	}
}

func TestMutatingOperations(t *testing.T) {
	cases := map[string]bool{
		"ChangeResourceRecordSets": true, "AllocateAddress": true, "SendEmail": true, "PutAccountDetails": true,
		"GetChange": false, "ListHostedZones": false, "DescribeAddresses": false, "ReceiveMessage": false,
	}
	for op, want := range cases {
		if got := isMutating(op); got != want {
			t.Errorf("isMutating(%s) = %v, want %v", op, got, want)
		}
	}
}
