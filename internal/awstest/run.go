package awstest

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Run starts a double for `mailform sandbox`, writes where it listens and
// how to use it to stdout, and serves until ctx is done. The first line is
// "endpoint: http://ADDR"; a line "dns: HOST:PORT" follows once the DNS
// server answers. Without python3 or moto it returns an error wrapping
// ErrMotoMissing.
func Run(ctx context.Context, opts Options, stdout io.Writer) error {
	return RunWithEnv(ctx, opts, stdout, func(s *Server) ([]string, error) { return s.Env(), nil })
}

// RunWithEnv is Run whose help text gives, as export lines, the environment
// env returns ("K=V" each). env is called once every listener answers, so it
// is also the place to tell other programs where the double is (an env
// file); an error from it stops the double.
func RunWithEnv(ctx context.Context, opts Options, stdout io.Writer, env func(*Server) ([]string, error)) error {
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
	vars, err := env(s)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(stdout, sandboxHelp(s, vars)); err != nil {
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

// SandboxRegion is the region Env names: any region works against the double.
const SandboxRegion = "us-west-2"

// Env is the environment that points the AWS CLI (v1 and v2) and the AWS
// SDKs at s, with dummy credentials, as "K=V" strings. The AWS CLI v1 reads
// its region from AWS_DEFAULT_REGION only, the SDKs from AWS_REGION, so
// both are set.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.URL(),
		"AWS_REGION=" + SandboxRegion,
		"AWS_DEFAULT_REGION=" + SandboxRegion,
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=sandbox",
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

func sandboxHelp(s *Server, env []string) string {
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
Point the AWS CLI or mailform at it with this environment (dummy credentials):

%s
then for example:

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
`, AccountID, limits, faults, indent(ShellExports(env), "  "), s.DNSAddr(), dnsHost(s.DNSAddr()), dnsPort(s.DNSAddr()), s.DNSAddr(), s.SMTPRegion(), s.URL())
}

// ShellExports renders "K=V" strings as POSIX shell export lines, one per
// variable, each value quoted when it holds more than letters, digits and
// -_./:@,+=.
func ShellExports(env []string) string {
	var b strings.Builder
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@,+=") != "" || v == "" {
			v = "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
		}
		b.WriteString("export " + k + "=" + v + "\n")
	}
	return b.String()
}

func indent(text, prefix string) string {
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}

func dnsHost(addr string) string {
	host, _, _ := net.SplitHostPort(addr)
	return host
}

func dnsPort(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}
