package awstest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func TestRunPrintsEndpointThenDNS(t *testing.T) {
	SkipInShortMode(t)
	ctx, cancel := context.WithCancel(t.Context())
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := Run(ctx, Options{Faults: "sts:*=fail#1"}, w)
		_ = w.CloseWithError(err)
		done <- err
	}()
	lines := bufio.NewScanner(r)
	next := func() string {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("output ended: %v", lines.Err())
		}
		return lines.Text()
	}
	if !lines.Scan() {
		err := <-done
		if errors.Is(err, ErrMotoMissing) && os.Getenv("CI") == "" {
			t.Skipf("skipping: %v", err)
		}
		t.Fatalf("Run printed nothing: %v", err)
	}
	first := lines.Text()
	if !regexp.MustCompile(`^endpoint: http://127\.0\.0\.1:\d+$`).MatchString(first) {
		t.Fatalf("first line %q, want endpoint: http://127.0.0.1:PORT", first)
	}
	second := next()
	addr, ok := strings.CutPrefix(second, "dns: ")
	if !ok {
		t.Fatalf("second line %q, want dns: HOST:PORT", second)
	}
	q := new(dns.Msg)
	q.SetQuestion("acme.example.", dns.TypeA)
	in, _, err := (&dns.Client{}).ExchangeContext(t.Context(), q, addr)
	if err != nil {
		t.Fatalf("the printed DNS address does not answer: %v", err)
	}
	if in.Rcode != dns.RcodeRefused {
		t.Errorf("a name outside every zone: %s, want REFUSED", dns.RcodeToString[in.Rcode])
	}
	var help strings.Builder
	for lines.Scan() {
		help.WriteString(lines.Text() + "\n")
		if strings.Contains(lines.Text(), "Stop with Ctrl-C") {
			break
		}
	}
	for _, want := range []string{"AWS_ENDPOINT_URL=" + strings.TrimPrefix(first, "endpoint: "), "AWS_ACCESS_KEY_ID=", "faults sts:*=fail#1"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, help.String())
		}
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestRunWithoutMoto(t *testing.T) {
	var out strings.Builder
	err := Run(t.Context(), Options{Python: "/nonexistent/python3"}, &out)
	if !errors.Is(err, ErrMotoMissing) {
		t.Fatalf("err = %v, want ErrMotoMissing", err)
	}
	if !strings.Contains(err.Error(), "pip install") {
		t.Errorf("error %q does not say how to install moto", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q before failing", out.String())
	}
}

func TestStartRefusesBadOptions(t *testing.T) {
	cases := []struct {
		opts    Options
		wantErr string
	}{
		{Options{RateLimits: "fast"}, `rate limits "fast"`},
		{Options{Faults: "sts:*=boom"}, `unknown fault "boom"`},
	}
	for _, tc := range cases {
		t.Run(tc.wantErr, func(t *testing.T) {
			_, err := Start(t.Context(), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestConfigureRefusesBadOptions(t *testing.T) {
	s := Shared(t)
	for _, change := range []func(*Options){
		func(o *Options) { o.RateLimits = "fast" },
		func(o *Options) { o.Faults = "ec2:*=explode" },
	} {
		if err := s.Configure(change); err == nil {
			t.Error("Configure accepted a bad option")
		}
	}
	if got := s.Options(); got.RateLimits != "" || got.Faults != "" {
		t.Errorf("a refused Configure changed the options: %+v", got)
	}
}
