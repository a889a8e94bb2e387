package ec2

import (
	"context"
	"errors"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// errorCode returns the AWS error code of err, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// isNotFound reports whether AWS said the allocation or association ID does
// not exist (any more).
func isNotFound(err error) bool {
	switch errorCode(err) {
	case "InvalidAllocationID.NotFound", "InvalidAssociationID.NotFound", "InvalidAddress.NotFound":
		return true
	}
	return false
}

// throttleCodes are EC2's answers to a call it refused for the rate of
// calls, before doing anything.
var throttleCodes = map[string]bool{
	"RequestLimitExceeded": true, "Throttling": true, "ThrottlingException": true,
	"EC2ThrottledException": true, "RequestThrottled": true,
}

// outcomeUnknown reports whether a failed call may have been carried out
// anyway: the connection broke or timed out, or AWS answered with a server
// error. A throttled call was not carried out, but is worth trying again
// too. Any other answer from AWS is definite: the call did nothing.
func outcomeUnknown(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The caller gave up: whatever happened is found by the next run.
		return false
	}
	var sendErr *smithyhttp.RequestSendError
	if errors.As(err, &sendErr) {
		return true // the request may have reached AWS; the answer did not come back
	}
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) {
		if status := resp.HTTPStatusCode(); status == 0 || status >= 500 {
			return true
		}
		return throttleCodes[errorCode(err)]
	}
	if code := errorCode(err); code != "" {
		return throttleCodes[code] || code == "InternalError" || code == "ServiceUnavailable" || code == "Unavailable"
	}
	return true // no answer from AWS at all
}

// isRequestRefusal reports whether AWS answered with a definite refusal of
// the request itself (a 4xx) that waiting might cure: not a refusal of the
// caller's rights or of an address that does not exist, and not a throttle
// (the SDK retries those).
//
// AWS sets a PTR only once its resolvers see the A record of the name (EC2
// user guide, "Using reverse DNS for email applications"), yet it documents
// neither the code nor the wording of that refusal. So mailform reads no
// words: any such refusal, right after it wrote the A record, is taken for
// the record not being visible yet.
func isRequestRefusal(err error) bool {
	var resp *awshttp.ResponseError
	if !errors.As(err, &resp) {
		return false
	}
	if status := resp.HTTPStatusCode(); status < 400 || status >= 500 || status == 401 || status == 403 {
		return false
	}
	code := errorCode(err)
	return !throttleCodes[code] && !isNotFound(err) && !authCodes[code]
}

// authCodes are EC2's answers to a caller without the right to a call.
var authCodes = map[string]bool{
	"UnauthorizedOperation": true, "AuthFailure": true, "Blocked": true, "OptInRequired": true,
	"SignatureDoesNotMatch": true, "InvalidClientTokenId": true, "MissingAuthenticationToken": true,
	"PendingVerification": true,
}

// awsMessage is what AWS said, for the end of an error message.
func awsMessage(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()
	}
	return err.Error()
}
