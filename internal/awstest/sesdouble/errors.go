package sesdouble

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// apiError is an error SES returns to the caller. code is the v2 error shape
// name; v1Code, when set, is the code the v1 Query API uses for the same
// condition (else v1CodeFor decides).
type apiError struct {
	code    string
	message string
	v1Code  string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errorf(code, format string, args ...any) *apiError {
	return &apiError{code: code, message: fmt.Sprintf(format, args...)}
}

// Error codes of the v2 API (service/sesv2/types).
const (
	codeAlreadyExists    = "AlreadyExistsException"
	codeBadRequest       = "BadRequestException"
	codeConflict         = "ConflictException"
	codeLimitExceeded    = "LimitExceededException"
	codeMailFromNotVer   = "MailFromDomainNotVerifiedException"
	codeMessageRejected  = "MessageRejected"
	codeNotFound         = "NotFoundException"
	codeSendingPaused    = "SendingPausedException"
	codeTooManyRequests  = "TooManyRequestsException"
	codeUnknownOperation = "UnknownOperationException"
)

// v2Status is the HTTP status AWS's model gives each v2 error.
func v2Status(code string) int {
	switch code {
	case codeNotFound, codeUnknownOperation:
		return http.StatusNotFound
	case codeConflict:
		return http.StatusConflict
	case codeTooManyRequests:
		return http.StatusTooManyRequests
	}
	return http.StatusBadRequest
}

// v1CodeFor maps a v2 error to the v1 Query API's code for the same condition.
func v1CodeFor(e *apiError) string {
	if e.v1Code != "" {
		return e.v1Code
	}
	switch e.code {
	case codeAlreadyExists:
		return "AlreadyExists"
	case codeLimitExceeded:
		return "LimitExceeded"
	case codeMailFromNotVer:
		return "MailFromDomainNotVerifiedException"
	case codeMessageRejected:
		return "MessageRejected"
	case codeSendingPaused:
		return "AccountSendingPausedException"
	case codeTooManyRequests:
		return "Throttling"
	}
	return "InvalidParameterValue"
}

// writeV2Error writes e in the REST-JSON error shape the SDK reads: the
// x-amzn-ErrorType header names the error, the body carries the message.
func writeV2Error(w http.ResponseWriter, requestID string, e *apiError) {
	body, _ := json.Marshal(map[string]string{"message": e.message})
	w.Header().Set("X-Amzn-ErrorType", e.code)
	writeBody(w, requestID, "application/json", v2Status(e.code), body)
}

// writeV1Error writes e in the Query API's XML error shape.
func writeV1Error(w http.ResponseWriter, requestID string, e *apiError) {
	x := newXMLWriter()
	x.open(`ErrorResponse xmlns="` + v1Namespace + `"`)
	x.open("Error")
	x.elem("Type", "Sender")
	x.elem("Code", v1CodeFor(e))
	x.elem("Message", e.message)
	x.close("Error")
	x.elem("RequestId", requestID)
	x.close("ErrorResponse")
	writeBody(w, requestID, "text/xml", http.StatusBadRequest, x.bytes())
}

// writeBody writes a complete response with its Content-Length, as AWS does
// (never chunked).
func writeBody(w http.ResponseWriter, requestID, contentType string, status int, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("X-Amzn-RequestId", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
