package iam

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/mailform/mailform/internal/awscfg"
)

// KeyProbe makes one call signed with an access key and returns nil when
// AWS accepts the key. It must not put the secret into its error.
type KeyProbe func(ctx context.Context, accessKeyID, secretAccessKey string) error

// KeyProof is how apply makes sure a new access key works before it deletes
// the key it replaces. IAM is eventually consistent: a new key can be
// refused (SigV4 InvalidClientTokenId, SMTP 535) for seconds to minutes, and
// a client that still holds the old credentials must keep sending meanwhile.
type KeyProof struct {
	// Probe proves the new key; nil trusts a key at once (tests of the
	// provider's other steps only).
	Probe KeyProbe
	// Wait bounds the wait for one key. When it passes, the old key is kept
	// beside the new one and the next apply deletes it, once the stored key
	// is at least Wait old.
	Wait time.Duration
	// Poll is the first pause between two probes; it doubles up to 8 times
	// that.
	Poll time.Duration
}

// DefaultKeyProof signs sts:GetCallerIdentity (which needs no permission)
// with the new key, for up to three minutes.
func DefaultKeyProof(cfg aws.Config) KeyProof {
	return KeyProof{Probe: STSProbe(cfg), Wait: 3 * time.Minute, Poll: time.Second}
}

// STSProbe calls sts:GetCallerIdentity with the given key, once, through
// cfg's endpoint, pacing and region.
func STSProbe(cfg aws.Config) KeyProbe {
	return func(ctx context.Context, id, secret string) error {
		c := cfg.Copy()
		c.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
		_, err := sts.NewFromConfig(c, func(o *sts.Options) { o.RetryMaxAttempts = 1 }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	}
}

// WithKeyProof replaces how the provider proves new keys.
func (p *Provider) WithKeyProof(kp KeyProof) *Provider {
	p.proof = kp
	return p
}

// proveKey probes a new key until AWS accepts it or the wait runs out. It
// reports whether the key was proven; the error is for a cancelled run.
func (p *Provider) proveKey(ctx context.Context, report func(string), id, secret string) (bool, string, error) {
	if p.proof.Probe == nil {
		return true, "", nil
	}
	start := time.Now()
	deadline := start.Add(p.proof.Wait)
	pause := p.proof.Poll
	if pause <= 0 {
		pause = time.Second
	}
	var last error
	for attempt := 1; ; attempt++ {
		last = p.proof.Probe(ctx, id, secret)
		if last == nil {
			return true, "", nil
		}
		if err := ctx.Err(); err != nil {
			return false, "", err
		}
		if time.Now().Add(pause).After(deadline) {
			return false, probeError(last), nil
		}
		report(fmt.Sprintf("waiting for AWS to accept new access key %s before deleting the old one (%s so far, up to %s): %s",
			id, time.Since(start).Round(time.Second), p.proof.Wait, probeError(last)))
		if err := awscfg.Sleep(ctx, pause); err != nil {
			return false, "", err
		}
		if pause < 8*p.proof.Poll {
			pause *= 2
		}
	}
}

// probeError names what AWS answered a probe, without more: the code, or
// the error itself when it has none (a network failure).
func probeError(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}
