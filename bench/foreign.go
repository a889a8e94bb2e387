package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/specs"
)

// foreignPrefix starts the name of every identity the benchmark creates for
// someone else.
const foreignPrefix = "customer-"

func isForeign(name string) bool { return strings.HasPrefix(name, foreignPrefix) }

// createForeignIdentities creates n domain identities in the spec's region as
// a SaaS product verifying its customers' domains would: tagged, some with
// mailform's tag keys for another stack. The double's rate limits are off
// while they are made, so that preparing 5,000 does not take 80 minutes;
// they are on again for every measured operation.
func createForeignIdentities(ctx context.Context, srv *awstest.Server, n int) error {
	if n == 0 {
		return nil
	}
	limits := srv.Options().RateLimits
	if err := srv.Configure(func(o *awstest.Options) { o.RateLimits = "off" }); err != nil {
		return err
	}
	defer srv.Configure(func(o *awstest.Options) { o.RateLimits = limits })
	ses := sesv2.NewFromConfig(srv.Config(specRegion))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				tags := []sestypes.Tag{{Key: aws.String("customer"), Value: aws.String(fmt.Sprint(i))}}
				if i%10 == 0 {
					tags = append(tags, sestypes.Tag{Key: aws.String(specs.TagStack), Value: aws.String("another-stack")})
				}
				_, err := ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{
					EmailIdentity: aws.String(fmt.Sprintf("%s%05d.example", foreignPrefix, i)), Tags: tags,
				})
				if err != nil {
					mu.Lock()
					first = cmp.Or(first, fmt.Errorf("creating foreign identity %d: %w", i, err))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}
