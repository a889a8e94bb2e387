package awstest

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/miekg/dns"
)

// Run starts a double for `mailform sandbox`, writes where it listens and
// how to use it to stdout, and serves until ctx is done. The first line is
// "endpoint: http://ADDR"; a line "dns: HOST:PORT" follows once the DNS
// server answers. Without python3 or moto it returns an error wrapping
// ErrMotoMissing.
func Run(ctx context.Context, opts Options, stdout io.Writer) error {
	s, err := Start(ctx, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := fmt.Fprintf(stdout, "endpoint: %s\n", s.URL()); err != nil {
		return err
	}
	if err := waitForDNS(ctx, s); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "dns: %s\n", s.DNSAddr()); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "smtp: %s\nsmtp-ca: %s\n", s.SMTPAddr(), s.SMTPCAFile()); err != nil {
		return err
	}
	if _, err := io.WriteString(stdout, sandboxHelp(s)); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// waitForDNS waits until the DNS server answers a question.
func waitForDNS(ctx context.Context, s *Server) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := s.QueryDNS(ctx, ".", dns.TypeSOA); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("the sandbox's DNS server does not answer: %w", err)
		}
		if !sleep(ctx, 100*time.Millisecond) {
			return ctx.Err()
		}
	}
}

func sandboxHelp(s *Server) string {
	o := s.Options()
	limits := o.RateLimits
	if limits == "" {
		limits = "off"
	}
	faults := o.Faults
	if faults == "" {
		faults = "none"
	}
	return fmt.Sprintf(`
A local AWS double (moto behind mailform's emulation of SES, Route 53
strictness and EC2 reverse DNS). Account %s; any region; rate limits %s; faults %s.
Point the AWS CLI or mailform at it with dummy credentials:

  export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=sandbox AWS_REGION=us-west-2
  export AWS_ENDPOINT_URL=%s
  aws route53 list-hosted-zones
  mailform plan examples/ses-domain

Its Route 53 zones answer DNS at %s (dig @%s -p %s NAME TXT), and
mailform check -resolver %s reads them. Its SES SMTP interface (STARTTLS)
for region %s (it takes passwords derived for that region only)
listens at the smtp: address; trust the smtp-ca: file with
mailform test-send -smtp -smtp-endpoint ADDR -smtp-ca FILE.
Admin: GET %s/_awstest/counts, /_awstest/throttles, /_awstest/faults;
POST /_awstest/faults (a fault spec) and /_awstest/reset.
Stop with Ctrl-C; all state is forgotten.
`, AccountID, limits, faults, s.URL(), s.DNSAddr(), dnsHost(s.DNSAddr()), dnsPort(s.DNSAddr()), s.DNSAddr(), s.SMTPRegion(), s.URL())
}

func dnsHost(addr string) string {
	host, _, _ := net.SplitHostPort(addr)
	return host
}

func dnsPort(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}
