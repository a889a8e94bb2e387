package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/lock"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/providers/route53"
	"github.com/mailform/mailform/specs"
)

// session is one command's connection to AWS: the configuration, the
// providers built on it, and the stack lock.
type session struct {
	io        IO
	cfg       aws.Config
	stack     string
	region    string
	account   string // the AWS account of the credentials, as STS names it
	providers []providers.Provider
	locker    *lock.Locker
	services  services
	// problems are what the last read found wrong with desired resources
	// (providers.Problems); makePlan reports them at their blocks.
	problems providers.Problems
	// sesRate is the SES limit the session's pacing follows, in requests/s
	// (AWS's 1, times the pacing scale; 0 when pacing is off).
	sesRate float64
}

// openSession connects to the AWS account and region of spec.
func openSession(ctx context.Context, spec *specs.Spec, af awsFlags, io IO) (*session, error) {
	return openSessionFor(ctx, spec.Stack, spec.Region, spec.Profile, af, io, spec.Dir, zoneRefs(spec))
}

// openSessionFor connects to AWS for stack in region. The -profile flag
// overrides the spec's profile; -region must name the stack's own region,
// since a stack lives in one region: a run in another would take the
// stack's global resources (IAM users, Route 53 records) for its own.
func openSessionFor(ctx context.Context, stack, region, profile string, af awsFlags, io IO, specDir string, zones []route53.ZoneRef) (*session, error) {
	if af.region != "" && region != "" && af.region != region {
		return nil, &regionMismatchError{Stack: stack, StackRegion: region, Requested: af.region}
	}
	if af.region != "" {
		region = af.region
	}
	if af.profile != "" {
		profile = af.profile
	}
	endpoint := af.endpointURL
	cfg, err := awscfg.Load(ctx, awscfg.Settings{Profile: profile, Region: region, EndpointURL: endpoint})
	if err != nil {
		return nil, err
	}
	scale := 1.0
	if cfg, scale, err = pacing(cfg, io); err != nil {
		return nil, err
	}
	if on, err := debugOn(af, io); err != nil {
		return nil, err
	} else if on {
		cfg = awscfg.Debug(cfg, io.Stderr)
	}
	if len(io.AWSAPIOptions) > 0 {
		cfg = cfg.Copy()
		cfg.APIOptions = append(slices.Clone(cfg.APIOptions), io.AWSAPIOptions...)
	}
	dir := specDir
	if dir == "" {
		dir = "."
	}
	caller, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("asking AWS STS who the credentials are: %w", awscfg.Explain(err))
	}
	s := &session{io: io, cfg: cfg, stack: stack, region: cfg.Region, account: aws.ToString(caller.Account), locker: lock.New(ssm.NewFromConfig(cfg))}
	s.locker.Getenv, s.locker.Region, s.locker.Account = io.getenv, s.region, s.account
	if strings.TrimSpace(io.getenv(PacingEnv)) != "off" {
		s.sesRate = awscfg.DefaultPacing.SESPerSecond * scale
	}
	s.services = newServices(cfg, dir, zones, scale, callerIdentity{caller})
	s.providers = s.services.all()
	return s, nil
}

// read asks every provider of the session, in parallel (providers.Set.Read),
// for the live state of the resources of its kinds, printing a line when it
// takes long.
func (s *session) read(ctx context.Context, desired []specs.Resource) ([]plan.Observed, error) {
	start := time.Now()
	var answers []providers.ReadAnswer
	done := make(chan struct{})
	go func() {
		answers = providers.NewSet(s.providers...).Read(ctx, s.stack, desired)
		close(done)
	}()
	ticker := time.NewTicker(5 * time.Second)
	defer ticker.Stop()
wait:
	for {
		select {
		case <-done:
			break wait
		case <-ticker.C:
			if line := s.readProgress(); line != "" {
				fmt.Fprintf(s.io.Stderr, "Still reading live state from AWS: %s [%s]\n", line, time.Since(start).Round(time.Second))
				continue
			}
			fmt.Fprintf(s.io.Stderr, "Still reading live state from AWS... [%s]\n", time.Since(start).Round(time.Second))
		}
	}
	var out []plan.Observed
	var errs []string
	s.problems = nil
	var missingZones *route53.MissingZonesError
	for _, a := range answers {
		var probs providers.Problems
		if errors.As(a.Err, &probs) {
			s.problems = append(s.problems, probs...)
			out = append(out, a.Observed...)
			continue
		}
		if a.Err != nil && errors.As(a.Err, &missingZones) {
			continue
		}
		if a.Err != nil {
			err := awscfg.Explain(a.Err)
			var unreachable *awscfg.UnreachableError
			if errors.As(err, &unreachable) {
				// Every provider meets the same dead endpoint: one line says it.
				return nil, fmt.Errorf("reading live state: %w", unreachable)
			}
			errs = append(errs, err.Error())
			continue
		}
		out = append(out, a.Observed...)
	}
	if missingZones != nil {
		if len(errs) == 0 {
			// The caller reports each zone at its block.
			return nil, fmt.Errorf("reading live state: %w", missingZones)
		}
		errs = append(errs, missingZones.Error())
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("reading live state: %s", joinLines(errs))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr < out[j].Addr })
	return s.readDeferredRecords(ctx, desired, out)
}

// regionMismatchError refuses a run whose -region is not the stack's.
type regionMismatchError struct {
	Stack, StackRegion, Requested string
}

func (e *regionMismatchError) Error() string {
	return fmt.Sprintf("-region %s is not the region of stack %s (%s, the region of its spec): a stack lives in one region, and a run in another would change the stack's global resources (IAM users, Route 53 records) for it; nothing was changed. Drop -region, or change region in the mailform block",
		e.Requested, e.Stack, e.StackRegion)
}

// callerIdentity answers GetCallerIdentity with what the session asked STS
// once, so that the providers that need the account ask no more.
type callerIdentity struct{ out *sts.GetCallerIdentityOutput }

func (c callerIdentity) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return c.out, nil
}

// readProgress describes the SES identity reads under way, or is "".
func (s *session) readProgress() string {
	if s.services.ses == nil {
		return ""
	}
	done, total := s.services.ses.ReadProgress()
	return identityProgress(done, total, s.sesRate, awscfg.Headroom)
}

// identityProgress is the progress line of SES identity reads: counts, the
// limit that paces them and the time left at the pace kept (headroom below
// the limit), e.g. "reading SES identities 340/1000, about 11 min left at
// SES's 1 request/s". It is "" when nothing is being read.
func identityProgress(done, total int, rate, headroom float64) string {
	if total <= 0 || done >= total {
		return ""
	}
	line := fmt.Sprintf("reading SES identities %d/%d", done, total)
	if rate <= 0 {
		return line
	}
	left := time.Duration(float64(total-done) / (rate * (1 - headroom)) * float64(time.Second))
	var about string
	switch {
	case left < time.Minute:
		about = fmt.Sprintf("%d s", int(left.Seconds()+0.5))
	case left < time.Hour:
		about = fmt.Sprintf("%d min", int(left.Minutes()+0.5))
	default:
		about = fmt.Sprintf("%d h %d min", int(left.Hours()), int(left.Minutes()+0.5)%60)
	}
	return fmt.Sprintf("%s, about %s left at SES's %s request/s", line, about, strconv.FormatFloat(rate, 'f', -1, 64))
}

func joinLines(lines []string) string {
	if len(lines) == 1 {
		return lines[0]
	}
	out := ""
	for _, l := range lines {
		out += "\n  " + l
	}
	return out
}

// PacingEnv scales the rate mailform allows itself against AWS's limits
// (Route 53 5 requests/s, SES 1 request/s) and divides retry backoffs and the
// pause between two polls of the reverse-DNS status by the same factor: a
// factor such as "10", or "off". It is for a local AWS double whose limits
// are off or time-scaled ('mailform sandbox', tests, benchmarks); against
// AWS, leave it unset.
const PacingEnv = "MAILFORM_PACING_SCALE"

// pacing applies PacingEnv to cfg and returns the factor it gives (1 when
// unset or off).
func pacing(cfg aws.Config, io IO) (aws.Config, float64, error) {
	v := strings.TrimSpace(io.getenv(PacingEnv))
	switch v {
	case "":
		return cfg, 1, nil
	case "off":
		return awscfg.Pace(cfg, awscfg.Pacing{}), 1, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return cfg, 1, fmt.Errorf("%s=%q: want a positive factor such as 10, or off", PacingEnv, v)
	}
	return awscfg.ScaleTime(cfg, f), f, nil
}

// DebugEnv turns on the log of AWS calls (awscfg.Debug) as -debug does:
// "1" or "true".
const DebugEnv = "MAILFORM_DEBUG"

// debugOn says whether -debug or DebugEnv asks for the log of AWS calls.
func debugOn(af awsFlags, io IO) (bool, error) {
	if af.debug {
		return true, nil
	}
	v := strings.TrimSpace(io.getenv(DebugEnv))
	if v == "" {
		return false, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want 1 (log every AWS call) or 0", DebugEnv, v)
	}
	return on, nil
}
