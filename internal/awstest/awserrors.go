package awstest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// route53Namespace is the XML namespace of every Route 53 document.
const route53Namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

// ec2Namespace is the XML namespace of EC2 query responses.
const ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// requestID makes an AWS-looking request id.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// writeServiceError writes an AWS error in the wire shape of c's service
// and protocol, so that the SDK surfaces code and message.
func writeServiceError(w http.ResponseWriter, c call, status int, code, message string) {
	switch {
	case c.cborError:
		writeCBORError(w, status, code, message)
	case c.service == "route53":
		writeRoute53Error(w, status, code, message)
	case c.service == "ec2":
		writeEC2Error(w, status, code, message)
	case c.jsonError:
		writeJSONError(w, status, code, message)
	default:
		writeAWSError(w, status, code, message)
	}
}

// writeRoute53Error writes Route 53's REST-XML error document.
func writeRoute53Error(w http.ResponseWriter, status int, code, message string) {
	id := requestID()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", id)
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0"?>`+"\n"+`<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		route53Namespace, xmlEscape(code), xmlEscape(message), id)
}

// writeInvalidChangeBatch writes a refused change batch as Route 53 has
// since 2024: the generic error document, code InvalidChangeBatch, every
// problem in one Message as "[m1, m2]" (aws/aws-sdk-kotlin#1433, #1435). The
// route53 SDK decodes it into types.InvalidChangeBatch with that Message and
// no Messages; boto3 and the AWS CLI see the code and the message.
func writeInvalidChangeBatch(w http.ResponseWriter, messages []string) {
	writeRoute53Error(w, http.StatusBadRequest, "InvalidChangeBatch", "["+strings.Join(messages, ", ")+"]")
}

// writeEC2Error writes the EC2 query protocol's error document.
func writeEC2Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`,
		xmlEscape(code), xmlEscape(message), requestID())
}

// writeJSONError writes the awsJson/restJson error shape.
func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.Header().Set("x-amzn-RequestId", requestID())
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
}

// writeThrottle writes the error AWS answers when c's rate is exceeded.
func writeThrottle(w http.ResponseWriter, c call) {
	switch {
	case c.cborError:
		writeCBORError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
	case c.service == "route53":
		writeRoute53Error(w, http.StatusBadRequest, "Throttling", "Rate exceeded")
	case c.service == "ec2":
		writeEC2Error(w, http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
	case c.service == "ses" && c.jsonError:
		writeJSONError(w, http.StatusTooManyRequests, "TooManyRequestsException", "Too many requests.")
	case c.jsonError:
		writeJSONError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
	default:
		writeAWSError(w, http.StatusBadRequest, "Throttling", "Rate exceeded")
	}
}

// failStatus picks the status and code of an injected permanent failure:
// the service's access-denied error unless code names another.
func failStatus(c call, code string) (int, string) {
	if code != "" {
		return http.StatusBadRequest, code
	}
	switch {
	case c.service == "ec2":
		return http.StatusForbidden, "UnauthorizedOperation"
	case c.jsonError:
		return http.StatusForbidden, "AccessDeniedException"
	default:
		return http.StatusForbidden, "AccessDenied"
	}
}
