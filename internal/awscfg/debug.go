package awscfg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	smithy "github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Debug returns a copy of cfg whose clients write one line to w for every
// AWS call when it ends:
//
//	aws: Route 53 ListHostedZonesByName us-west-2 12ms attempts=1 throttles=0 status=200
//
// with the service, the operation, the region, the time from the call to its
// answer (pacing waits and retries included), how many attempts it took, how
// many of them AWS throttled, and the last HTTP status and error code. It
// never writes a header, a body, a parameter or an error message: those
// can hold secrets (a secret's value, a signature, the caller's key id).
// Lines from concurrent calls do not interleave.
func Debug(cfg aws.Config, w io.Writer) aws.Config {
	d := &debugLog{w: w}
	out := cfg.Copy()
	out.APIOptions = append(append([]func(*middleware.Stack) error{}, cfg.APIOptions...), d.install)
	return out
}

type debugLog struct {
	mu sync.Mutex
	w  io.Writer
}

// debugCall is what one call's attempts tell its log line.
type debugCall struct {
	attempts, throttles int
	status              int
}

type debugCallKey struct{}

const (
	debugCallID    = "mailform.DebugCall"
	debugAttemptID = "mailform.DebugAttempt"
)

func (d *debugLog) install(stack *middleware.Stack) error {
	if _, ok := stack.Initialize.Get(debugCallID); ok {
		return nil
	}
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc(debugCallID, d.handleCall), middleware.Before); err != nil {
		return err
	}
	attempt := middleware.FinalizeMiddlewareFunc(debugAttemptID, handleAttempt)
	if _, ok := stack.Finalize.Get("Retry"); ok {
		return stack.Finalize.Insert(attempt, "Retry", middleware.After)
	}
	return stack.Finalize.Add(attempt, middleware.After)
}

func (d *debugLog) handleCall(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	call := &debugCall{}
	start := time.Now()
	out, md, err := next.HandleInitialize(context.WithValue(ctx, debugCallKey{}, call), in)
	d.write(ctx, call, time.Since(start), err)
	return out, md, err
}

func handleAttempt(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleFinalize(ctx, in)
	if call, ok := ctx.Value(debugCallKey{}).(*debugCall); ok {
		call.attempts++
		if err != nil && retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool() {
			call.throttles++
		}
		if resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && resp != nil {
			call.status = resp.StatusCode
		}
	}
	return out, md, err
}

func (d *debugLog) write(ctx context.Context, call *debugCall, took time.Duration, err error) {
	var b strings.Builder
	fmt.Fprintf(&b, "aws: %s %s %s %dms attempts=%d throttles=%d",
		awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), awsmiddleware.GetRegion(ctx),
		took.Milliseconds(), call.attempts, call.throttles)
	if call.status != 0 {
		fmt.Fprintf(&b, " status=%d", call.status)
	}
	if err != nil {
		b.WriteString(" error=" + errorCode(err))
	}
	b.WriteString("\n")
	d.mu.Lock()
	defer d.mu.Unlock()
	_, _ = io.WriteString(d.w, b.String())
}

// errorCode names an error without its message: AWS's error code, or the
// kind of failure when AWS did not answer.
func errorCode(err error) string {
	var api smithy.APIError
	var canceled *smithy.CanceledError
	switch {
	case errors.As(err, &api):
		return api.ErrorCode()
	case errors.As(err, &canceled), errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline-exceeded"
	}
	return "client-side"
}
