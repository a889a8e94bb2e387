package awstest

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseFaultSpec(t *testing.T) {
	cases := []struct {
		spec    string
		want    FaultSpec
		wantErr string
	}{
		{spec: "", want: FaultSpec{}},
		{
			spec: "route53:ChangeResourceRecordSets=throttle@0.3,*:*=5xx@0.05,ec2:AllocateAddress=cut@1,iam:*=latency:200ms@0.5,seed=7",
			want: FaultSpec{Seed: 7, Rules: []FaultRule{
				{Service: "route53", Operation: "ChangeResourceRecordSets", Kind: "throttle", Probability: 0.3},
				{Service: "*", Operation: "*", Kind: "5xx", Probability: 0.05},
				{Service: "ec2", Operation: "AllocateAddress", Kind: "cut", Probability: 1},
				{Service: "iam", Operation: "*", Kind: "latency", Latency: 200e6, Probability: 0.5},
			}},
		},
		{spec: "ec2:AllocateAddress=cut#1", want: FaultSpec{Rules: []FaultRule{{Service: "ec2", Operation: "AllocateAddress", Kind: "cut", Nth: 1}}}},
		{spec: "*:*=drop>5", want: FaultSpec{Rules: []FaultRule{{Service: "*", Operation: "*", Kind: "drop", After: 5}}}},
		{spec: "iam:Create*=fail:EntityTemporarilyUnmodifiable", want: FaultSpec{Rules: []FaultRule{{Service: "iam", Operation: "Create*", Kind: "fail", Code: "EntityTemporarilyUnmodifiable", Probability: 1}}}},
		{spec: "sts:*=fail", want: FaultSpec{Rules: []FaultRule{{Service: "sts", Operation: "*", Kind: "fail", Probability: 1}}}},
		{spec: "route53=throttle", wantErr: `"route53=throttle": want SERVICE:OPERATION before '='`},
		{spec: "route53:*", wantErr: `"route53:*": want SERVICE:OPERATION=KIND`},
		{spec: "route53:*=explode", wantErr: `unknown fault "explode"`},
		{spec: "route53:*=throttle@1.5", wantErr: "the probability must be a number from 0 to 1"},
		{spec: "route53:*=throttle#0", wantErr: "want the number (1 or more)"},
		{spec: "route53:*=throttle>x", wantErr: "want the number (0 or more)"},
		{spec: "route53:*=throttle@0.5#2", wantErr: "the probability must be"},
		{spec: "iam:*=latency", wantErr: "latency: want a positive duration"},
		{spec: "iam:*=latency:fast", wantErr: "latency: want a positive duration"},
		{spec: "iam:*=cut:now", wantErr: "cut takes no argument"},
		{spec: "seed=-1", wantErr: "the seed must be a non-negative integer"},
	}
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := ParseFaultSpec(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreUnexported(FaultRule{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// callSTS calls GetCallerIdentity once, without retries, and reports its
// error code ("" on success, "no answer" when the connection died).
func callSTS(t *testing.T, s *Server) string {
	t.Helper()
	_, err := sts.NewFromConfig(s.Config("us-east-1"), func(o *sts.Options) { o.RetryMaxAttempts = 1 }).
		GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err == nil {
		return ""
	}
	if code := errorCode(err); code != "" {
		return code
	}
	return "no answer"
}

func TestProbabilityFaultsAreSeeded(t *testing.T) {
	s := Shared(t)
	const spec = "seed=42,sts:GetCallerIdentity=5xx@0.3"
	const calls = 100
	run := func() []string {
		if err := s.SetFaults(spec); err != nil {
			t.Fatal(err)
		}
		var outcomes []string
		for range calls {
			outcomes = append(outcomes, callSTS(t, s))
		}
		return outcomes
	}
	first := run()
	failed := 0
	for _, o := range first {
		switch o {
		case "":
		case "InternalError", "ServiceUnavailable":
			failed++
		default:
			t.Fatalf("unexpected outcome %q", o)
		}
	}
	if got := s.InjectedFaults()["sts:GetCallerIdentity=5xx@0.3"]; got != failed {
		t.Errorf("InjectedFaults = %d, clients saw %d failures", got, failed)
	}
	// 30% of 100: a binomial draw (mean 30, deviation 4.6), far inside 12..48.
	if failed < 12 || failed > 48 {
		t.Errorf("%d of %d calls failed, want about 30", failed, calls)
	}
	if diff := cmp.Diff(first, run()); diff != "" {
		t.Errorf("the same seed gave another sequence (-first +second):\n%s", diff)
	}
}

func TestCountedFaults(t *testing.T) {
	s := Shared(t)
	ctx := t.Context()
	users := iam.NewFromConfig(s.Config("us-east-1"), func(o *iam.Options) { o.RetryMaxAttempts = 1 })
	if err := s.SetFaults("iam:CreateUser=fail#2,iam:GetUser=fail:NoSuchEntity"); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, name := range []string{"u1", "u2", "u3"} {
		_, err := users.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
		codes = append(codes, errorCode(err))
	}
	if diff := cmp.Diff([]string{"", "AccessDenied", ""}, codes); diff != "" {
		t.Errorf("CreateUser outcomes with fail#2 (-want +got):\n%s", diff)
	}
	_, err := users.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u1")})
	if code := errorCode(err); code != "NoSuchEntity" {
		t.Errorf("GetUser with fail:NoSuchEntity: err = %v", err)
	}
	want := map[string]int{"iam:CreateUser=fail#2": 1, "iam:GetUser=fail:NoSuchEntity": 1}
	if diff := cmp.Diff(want, s.InjectedFaults()); diff != "" {
		t.Errorf("InjectedFaults (-want +got):\n%s", diff)
	}
}

func TestFaultErrorsHaveTheServiceShape(t *testing.T) {
	calls := []struct {
		service string
		call    func(t *testing.T, s *Server) error
	}{
		{"route53", func(t *testing.T, s *Server) error {
			_, err := route53Client(s).ListHostedZones(t.Context(), &route53.ListHostedZonesInput{})
			return err
		}},
		{"ec2", func(t *testing.T, s *Server) error {
			_, err := ec2Client(s).DescribeAddresses(t.Context(), &ec2.DescribeAddressesInput{})
			return err
		}},
		{"sts", func(t *testing.T, s *Server) error {
			_, err := sts.NewFromConfig(s.Config("us-east-1"), func(o *sts.Options) { o.RetryMaxAttempts = 1 }).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
			return err
		}},
		{"ses", func(t *testing.T, s *Server) error {
			_, err := sesv2.NewFromConfig(s.Config("us-east-1"), func(o *sesv2.Options) { o.RetryMaxAttempts = 1 }).GetAccount(t.Context(), &sesv2.GetAccountInput{})
			return err
		}},
		{"ssm", func(t *testing.T, s *Server) error {
			_, err := ssm.NewFromConfig(s.Config("us-east-1"), func(o *ssm.Options) { o.RetryMaxAttempts = 1 }).GetParameter(t.Context(), &ssm.GetParameterInput{Name: aws.String("/x")})
			return err
		}},
	}
	want := map[string]map[string]string{ // kind -> service -> code
		"throttle":           {"route53": "Throttling", "ec2": "RequestLimitExceeded", "sts": "Throttling", "ses": "TooManyRequestsException", "ssm": "ThrottlingException"},
		"fail":               {"route53": "AccessDenied", "ec2": "UnauthorizedOperation", "sts": "AccessDenied", "ses": "AccessDeniedException", "ssm": "AccessDeniedException"},
		"fail:LimitExceeded": {"route53": "LimitExceeded", "ec2": "LimitExceeded", "sts": "LimitExceeded", "ses": "LimitExceeded", "ssm": "LimitExceeded"},
	}
	for _, kind := range slices.Sorted(maps.Keys(want)) {
		for _, c := range calls {
			t.Run(kind+"/"+c.service, func(t *testing.T) {
				s := Shared(t)
				if err := s.SetFaults(c.service + ":*=" + kind); err != nil {
					t.Fatal(err)
				}
				err := c.call(t, s)
				if got := errorCode(err); got != want[kind][c.service] {
					t.Errorf("err = %v, want code %s", err, want[kind][c.service])
				}
				if n := len(s.Throttles()); n != 0 {
					t.Errorf("injected faults counted as rate-limit throttles: %v", s.Throttles())
				}
			})
		}
	}
}

func TestCutCarriesTheCallOut(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	if err := s.SetFaults("route53:ChangeResourceRecordSets=cut#1"); err != nil {
		t.Fatal(err)
	}
	_, err := changeRecords(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("a.acme.example", r53types.RRTypeA, 300, "192.0.2.1")))
	if err == nil || errorCode(err) != "" {
		t.Fatalf("err = %v, want a connection error without an AWS answer", err)
	}
	values, err := s.LookupRecords(t.Context(), "a.acme.example", "A")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"192.0.2.1"}, values); diff != "" {
		t.Errorf("the cut change was not applied (-want +got):\n%s", diff)
	}
}

func TestDropAfterNMutatingCalls(t *testing.T) {
	s := Shared(t)
	ctx := t.Context()
	if err := s.Configure(func(o *Options) { o.Faults = "*:*=drop>2" }); err != nil {
		t.Fatal(err)
	}
	c := ec2Client(s)
	var allocated int
	for i := range 4 {
		_, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
		if i < 2 && err != nil {
			t.Fatalf("mutating call %d: %v", i+1, err)
		}
		if i >= 2 && (err == nil || errorCode(err) != "") {
			t.Fatalf("mutating call %d: err = %v, want a dropped connection", i+1, err)
		}
		if err == nil {
			allocated++
		}
	}
	// Reads still pass, and the dropped calls did nothing.
	out, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		t.Fatalf("a read after the drops: %v", err)
	}
	if len(out.Addresses) != allocated {
		t.Errorf("%d addresses, want %d: a dropped call was carried out", len(out.Addresses), allocated)
	}
	if got := s.MutatingCalls(); got != 4 {
		t.Errorf("MutatingCalls = %d, want 4", got)
	}
	// Reset restores the faults the double was started with (none).
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc}); err != nil {
		t.Errorf("after Reset: %v", err)
	}
}

func TestLatencyFaultIsCounted(t *testing.T) {
	s := Shared(t)
	if err := s.SetFaults("sts:*=latency:1ms"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if code := callSTS(t, s); code != "" {
			t.Fatalf("call with latency failed: %s", code)
		}
	}
	if got := s.InjectedFaults()["sts:*=latency:1ms"]; got != 3 {
		t.Errorf("injected latencies = %d, want 3", got)
	}
}

func TestFaultsAdminEndpoint(t *testing.T) {
	s := Shared(t)
	post := func(body string) int {
		t.Helper()
		resp, err := http.Post(s.URL()+"/_awstest/faults", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("sts:*=nonsense"); got != http.StatusBadRequest {
		t.Errorf("bad spec: HTTP %d, want 400", got)
	}
	if got := post("seed=1,sts:*=fail"); got != http.StatusNoContent {
		t.Fatalf("good spec: HTTP %d, want 204", got)
	}
	if code := callSTS(t, s); code != "AccessDenied" {
		t.Errorf("sts after POST: %s, want AccessDenied", code)
	}
	resp, err := http.Get(s.URL() + "/_awstest/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Spec          string         `json:"spec"`
		Injected      map[string]int `json:"injected"`
		MutatingCalls int            `json:"mutating_calls"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Spec != "seed=1,sts:*=fail" || got.Injected["sts:*=fail"] != 1 {
		t.Errorf("GET /_awstest/faults = %+v", got)
	}
	if got := post(""); got != http.StatusNoContent {
		t.Fatalf("clearing: HTTP %d", got)
	}
	if code := callSTS(t, s); code != "" {
		t.Errorf("sts after clearing: %s", code)
	}
}
