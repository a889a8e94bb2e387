package awscfg

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// MissingPermissionError says that AWS refused a call because the caller's
// IAM policy does not allow it.
type MissingPermissionError struct {
	Action string // the IAM action, "route53:ChangeResourceRecordSets"
	Err    error  // what AWS said
}

func (e *MissingPermissionError) Error() string {
	return fmt.Sprintf("missing IAM permission %s: %v", e.Action, e.Err)
}

func (e *MissingPermissionError) Unwrap() error { return e.Err }

// ThrottledError says that AWS kept throttling a call through every retry.
type ThrottledError struct {
	Service   string // the SDK's service ID, "Route 53"
	Operation string
	Attempts  int // 0 when unknown
	Err       error
}

func (e *ThrottledError) Error() string {
	if e.Attempts > 0 {
		return fmt.Sprintf("AWS %s kept throttling %s after %d attempts; another tool may be using the account's rate limit, try again later: %v", e.Service, e.Operation, e.Attempts, e.Err)
	}
	return fmt.Sprintf("AWS %s throttled %s; another tool may be using the account's rate limit, try again later: %v", e.Service, e.Operation, e.Err)
}

func (e *ThrottledError) Unwrap() error { return e.Err }

// accessDeniedCodes are the error codes AWS services use for a call the
// caller's policies do not allow.
var accessDeniedCodes = map[string]bool{
	"AccessDenied":          true, // IAM, Route 53, STS, SES v1
	"AccessDeniedException": true, // SES v2, SSM, Secrets Manager, SQS (JSON)
	"UnauthorizedOperation": true, // EC2
	"AuthorizationError":    true, // SNS
}

// iamServicePrefix maps the SDK's service IDs to IAM action prefixes where
// they are not simply the lower-cased ID.
var iamServicePrefix = map[string]string{
	"Route 53":                    "route53",
	"SESv2":                       "ses",
	"SES":                         "ses",
	"Secrets Manager":             "secretsmanager",
	"Resource Groups Tagging API": "tag",
}

// Explain rewrites an error from an AWS call into one that says what to do:
// a refused call becomes a MissingPermissionError naming the IAM action
// ("missing IAM permission ses:CreateEmailIdentity"), and throttling that
// outlasted the retries becomes a ThrottledError, an endpoint that refused or
// did not answer an UnreachableError. The original error stays
// wrapped. Other errors, and nil, are returned unchanged.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	var already *MissingPermissionError
	var alreadyThrottled *ThrottledError
	var alreadyUnreachable *UnreachableError
	if errors.As(err, &already) || errors.As(err, &alreadyThrottled) || errors.As(err, &alreadyUnreachable) {
		return err
	}
	if u := unreachable(err); u != nil {
		return u
	}
	var op *smithy.OperationError
	var api smithy.APIError
	if !errors.As(err, &op) || !errors.As(err, &api) {
		return err
	}
	if accessDeniedCodes[api.ErrorCode()] {
		return &MissingPermissionError{Action: iamAction(op.ServiceID, op.OperationName), Err: err}
	}
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool() && sesv2Limit(err) != aws.FalseTernary {
		t := &ThrottledError{Service: op.ServiceID, Operation: op.OperationName, Err: err}
		var max *retry.MaxAttemptsError
		if errors.As(err, &max) {
			t.Attempts = max.Attempt
		}
		return t
	}
	return err
}

func iamAction(serviceID, operation string) string {
	prefix, ok := iamServicePrefix[serviceID]
	if !ok {
		prefix = strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
	}
	return prefix + ":" + operation
}
