package awscfg

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// ScaleTime returns cfg for a world that runs factor times faster than AWS:
// a local double whose rate limits and delays follow a time scale
// (`mailform sandbox`, tests, the benchmark). Pacing follows the scaled
// limits, with Headroom, and every retry backoff is divided by factor, so
// that a throttled call costs the same share of the run as it would
// against AWS. Against AWS, use Load's configuration as it is.
func ScaleTime(cfg aws.Config, factor float64) aws.Config {
	if factor <= 0 {
		return cfg
	}
	out := Pace(cfg, DefaultPacing.Scaled(factor).WithHeadroom(Headroom))
	out.Retryer = func() aws.Retryer {
		return newRetryer(func(o *retry.StandardOptions) {
			o.Backoff = scaledBackoff{inner: retry.NewExponentialJitterBackoff(o.MaxBackoff), factor: factor}
		})
	}
	return out
}

// scaledBackoff divides the delays of inner by factor.
type scaledBackoff struct {
	inner  retry.BackoffDelayer
	factor float64
}

func (b scaledBackoff) BackoffDelay(attempt int, err error) (time.Duration, error) {
	d, e := b.inner.BackoffDelay(attempt, err)
	return time.Duration(float64(d) / b.factor), e
}
