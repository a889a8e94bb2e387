package awstest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// eventual is what the double remembers of recent creations and deletions,
// so that the eventual-consistency delays of Options.Delays can act on them
// (docs/sandbox.md, "Eventual consistency"):
//
//   - AccessKeyDelay: a new IAM access key is refused by SigV4 and by the SMTP
//     interface, as AWS refuses a key it does not know;
//   - QueueDelay: a new SQS queue answers QueueDoesNotExist;
//   - SecretNameHold: a Secrets Manager name force-deleted a moment ago is
//     still scheduled for deletion for CreateSecret;
//   - ListLag: List* calls (and DescribeAddresses by filter) omit what was
//     created within the lag.
//
// Creations are recorded whatever the delays are, so that a test may switch
// ConsistencyAWS on after setting things up; a delay of zero makes the
// record harmless.
type eventual struct {
	mu      sync.Mutex
	keys    map[string]time.Time // IAM access key ID -> CreateAccessKey
	queues  map[string]time.Time // region "/" queue name -> CreateQueue
	held    map[string]time.Time // region "/" secret name -> force deletion
	created map[string]time.Time // lagKey -> creation, for List* lag
}

func (e *eventual) reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.keys, e.queues, e.held, e.created = nil, nil, nil, nil
}

// within reports whether the time recorded in m under key lies less than d
// before now.
func within(m map[string]time.Time, key string, d time.Duration, now time.Time) bool {
	if d <= 0 {
		return false
	}
	t, ok := m[key]
	return ok && now.Sub(t) < d
}

func record(m *map[string]time.Time, key string, now time.Time, keepFirst bool) {
	if *m == nil {
		*m = map[string]time.Time{}
	}
	if _, ok := (*m)[key]; ok && keepFirst {
		return
	}
	(*m)[key] = now
}

// accessKeyYoung reports whether an access key made through the double is
// still unknown to AWS's authentication.
func (s *Server) accessKeyYoung(id string) bool {
	d := s.delay(func(o Options) time.Duration { return o.AccessKeyDelay })
	now := s.clock()
	s.eventual.mu.Lock()
	defer s.eventual.mu.Unlock()
	return within(s.eventual.keys, id, d, now)
}

// lagKey names a resource for the List* lag.
func lagKey(service, region, id string) string { return service + "/" + region + "/" + id }

// eventually serves c when the consistency emulation has something to do
// with it: a refusal, a creation to record or a list to trim. It reports
// whether it served the call.
func (s *Server) eventually(w http.ResponseWriter, r *http.Request, c call, h http.Handler) bool {
	if id := accessKeyID(r); id != "" && s.accessKeyYoung(id) {
		writeUnknownKey(w, c)
		return true
	}
	if !watchedCall(c) {
		return false
	}
	params := readParams(r)
	if s.refuseYoung(w, c, params) {
		return true
	}
	if c.service == "secretsmanager" && c.operation == "CreateSecret" && s.secretInRecoveryWindow(r.Context(), c.region, params.get("Name")) {
		writeScheduledForDeletion(w, c)
		return true
	}
	var b bufferedResponse
	s.forward(&b, r, c, h)
	body := b.body.Bytes()
	if b.status == 0 || b.status == http.StatusOK {
		body = s.observeAnswer(c, params, body)
	}
	b.copyTo(w, body)
	return true
}

// watchedCall tells whether a call creates, deletes, uses or lists what the
// consistency emulation follows.
func watchedCall(c call) bool {
	switch c.service + ":" + c.operation {
	case "iam:CreateAccessKey", "iam:CreateUser", "iam:ListUsers", "iam:GetAccountAuthorizationDetails",
		"sns:CreateTopic", "sns:ListTopics",
		"secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:ListSecrets",
		"ec2:AllocateAddress", "ec2:DescribeAddresses":
		return true
	}
	return c.service == "sqs"
}

// refuseYoung answers for AWS where a queue or a secret name is not yet what
// its last change made it. It reports whether it answered.
func (s *Server) refuseYoung(w http.ResponseWriter, c call, params requestParams) bool {
	now := s.clock()
	o := s.Options()
	s.eventual.mu.Lock()
	defer s.eventual.mu.Unlock()
	switch c.service {
	case "sqs":
		name := queueName(params.get("QueueUrl"))
		if c.operation == "GetQueueUrl" {
			name = params.get("QueueName")
		}
		if c.operation == "CreateQueue" || name == "" {
			return false
		}
		if within(s.eventual.queues, c.region+"/"+name, o.Scaled(o.QueueDelay), now) {
			writeQueueDoesNotExist(w, c)
			return true
		}
	case "secretsmanager":
		if c.operation == "CreateSecret" && within(s.eventual.held, c.region+"/"+params.get("Name"), o.Scaled(o.SecretNameHold), now) {
			writeScheduledForDeletion(w, c)
			return true
		}
	}
	return false
}

// writeScheduledForDeletion answers CreateSecret of a name whose secret is
// scheduled for deletion, as AWS does.
func writeScheduledForDeletion(w http.ResponseWriter, c call) {
	writeServiceError(w, c, http.StatusBadRequest, "InvalidRequestException",
		"You can't create this secret because a secret with this name is already scheduled for deletion.")
}

// secretInRecoveryWindow reports whether moto holds the secret name of
// region scheduled for deletion (DeleteSecret with a recovery window):
// AWS refuses CreateSecret of that name with InvalidRequestException, where
// moto answers ResourceExistsException.
func (s *Server) secretInRecoveryWindow(ctx context.Context, region, name string) bool {
	if name == "" {
		return false
	}
	out, err := secretsmanager.NewFromConfig(s.motoConfig(region)).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	return err == nil && out.DeletedDate != nil
}

// observeAnswer records what a successful call created or deleted, and
// trims from a list answer what is younger than the list lag. It returns
// the body to send.
func (s *Server) observeAnswer(c call, params requestParams, body []byte) []byte {
	now := s.clock()
	lag := s.delay(func(o Options) time.Duration { return o.ListLag })
	e := &s.eventual
	e.mu.Lock()
	defer e.mu.Unlock()
	young := func(key string) bool { return within(e.created, key, lag, now) }
	switch c.service + ":" + c.operation {
	case "iam:CreateAccessKey":
		if id := answerField(body, "AccessKeyId"); id != "" {
			record(&e.keys, id, now, true)
		}
	case "iam:CreateUser":
		if name := answerField(body, "UserName"); name != "" {
			record(&e.created, lagKey("iam", "", name), now, true)
		}
	case "iam:ListUsers":
		return dropXMLItems(body, "Users", "member", func(item []byte) bool {
			return young(lagKey("iam", "", answerField(item, "UserName")))
		})
	case "iam:GetAccountAuthorizationDetails":
		return dropXMLItems(body, "UserDetailList", "member", func(item []byte) bool {
			return young(lagKey("iam", "", answerField(item, "UserName")))
		})
	case "sns:CreateTopic":
		if arn := answerField(body, "TopicArn"); arn != "" {
			record(&e.created, lagKey("sns", "", arn), now, true)
		}
	case "sns:ListTopics":
		if isJSON(body) {
			return dropJSONItems(body, "Topics", func(item any) bool {
				m, _ := item.(map[string]any)
				arn, _ := m["TopicArn"].(string)
				return young(lagKey("sns", "", arn))
			})
		}
		return dropXMLItems(body, "Topics", "member", func(item []byte) bool {
			return young(lagKey("sns", "", answerField(item, "TopicArn")))
		})
	case "sqs:CreateQueue":
		if name := queueName(answerField(body, "QueueUrl")); name != "" {
			record(&e.queues, c.region+"/"+name, now, true)
			record(&e.created, lagKey("sqs", c.region, name), now, true)
		}
	case "sqs:DeleteQueue":
		if name := queueName(params.get("QueueUrl")); name != "" {
			delete(e.queues, c.region+"/"+name)
			delete(e.created, lagKey("sqs", c.region, name))
		}
	case "sqs:ListQueues":
		if isJSON(body) {
			return dropJSONItems(body, "QueueUrls", func(item any) bool {
				u, _ := item.(string)
				return young(lagKey("sqs", c.region, queueName(u)))
			})
		}
		return dropXMLElements(body, "QueueUrl", func(value string) bool {
			return young(lagKey("sqs", c.region, queueName(value)))
		})
	case "secretsmanager:CreateSecret":
		if name := answerField(body, "Name"); name != "" {
			record(&e.created, lagKey("secretsmanager", c.region, name), now, false)
		}
	case "secretsmanager:DeleteSecret":
		if name := answerField(body, "Name"); name != "" && params.get("ForceDeleteWithoutRecovery") == "true" {
			record(&e.held, c.region+"/"+name, now, false)
		}
	case "secretsmanager:ListSecrets":
		return dropJSONItems(body, "SecretList", func(item any) bool {
			m, _ := item.(map[string]any)
			name, _ := m["Name"].(string)
			return young(lagKey("secretsmanager", c.region, name))
		})
	case "ec2:AllocateAddress":
		if id := answerField(body, "allocationId"); id != "" {
			record(&e.created, lagKey("ec2", c.region, id), now, true)
		}
	case "ec2:DescribeAddresses":
		// A lookup by allocation ID or address finds a new address; a
		// search (by filter, or of all) may not yet.
		for k := range params.form {
			if strings.HasPrefix(k, "AllocationId.") || strings.HasPrefix(k, "PublicIp.") {
				return body
			}
		}
		return dropXMLItems(body, "addressesSet", "item", func(item []byte) bool {
			return young(lagKey("ec2", c.region, answerField(item, "allocationId")))
		})
	}
	return body
}

// queueName is the last path segment of a queue URL.
func queueName(queueURL string) string {
	if queueURL == "" {
		return ""
	}
	u, err := url.Parse(queueURL)
	if err != nil {
		return ""
	}
	p := strings.TrimRight(u.Path, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}

func isJSON(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '{'
}

// answerField returns a top-level string field of a JSON answer, or the
// text of the first XML element of that name.
func answerField(body []byte, name string) string {
	if isJSON(body) {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			if v, ok := m[name].(string); ok {
				return v
			}
		}
		return ""
	}
	open, end := []byte("<"+name+">"), []byte("</"+name+">")
	i := bytes.Index(body, open)
	if i < 0 {
		return ""
	}
	rest := body[i+len(open):]
	j := bytes.Index(rest, end)
	if j < 0 {
		return ""
	}
	return xmlUnescape(string(rest[:j]))
}

var xmlEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&#39;", "'", "&amp;", "&")

func xmlUnescape(s string) string { return xmlEntities.Replace(s) }

// dropJSONItems removes from the top-level array field of a JSON answer the
// items drop selects.
func dropJSONItems(body []byte, field string, drop func(any) bool) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	list, ok := m[field].([]any)
	if !ok {
		return body
	}
	kept := make([]any, 0, len(list))
	for _, it := range list {
		if !drop(it) {
			kept = append(kept, it)
		}
	}
	if len(kept) == len(list) {
		return body
	}
	m[field] = kept
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}

// dropXMLItems removes from the first <list> element of an XML answer the
// direct <item> children drop selects (items may hold other <item>s).
func dropXMLItems(body []byte, list, item string, drop func([]byte) bool) []byte {
	lo, lc := []byte("<"+list+">"), []byte("</"+list+">")
	start := bytes.Index(body, lo)
	if start < 0 {
		return body
	}
	start += len(lo)
	stop := bytes.Index(body[start:], lc)
	if stop < 0 {
		return body
	}
	stop += start
	inner := body[start:stop]
	itemOpen, itemClose := []byte("<"+item+">"), []byte("</"+item+">")
	var out bytes.Buffer
	out.Write(body[:start])
	pos, changed := 0, false
	for {
		i := bytes.Index(inner[pos:], itemOpen)
		if i < 0 {
			break
		}
		i += pos
		// Find the matching close, counting nested items.
		depth, j := 0, i
		for {
			nextOpen := bytes.Index(inner[j:], itemOpen)
			nextClose := bytes.Index(inner[j:], itemClose)
			if nextClose < 0 {
				return body
			}
			if nextOpen >= 0 && nextOpen < nextClose {
				depth++
				j += nextOpen + len(itemOpen)
				continue
			}
			depth--
			j += nextClose + len(itemClose)
			if depth == 0 {
				break
			}
		}
		out.Write(inner[pos:i])
		if drop(inner[i:j]) {
			changed = true
		} else {
			out.Write(inner[i:j])
		}
		pos = j
	}
	if !changed {
		return body
	}
	out.Write(inner[pos:])
	out.Write(body[stop:])
	return out.Bytes()
}

var xmlElement = map[string]*regexp.Regexp{}
var xmlElementMu sync.Mutex

// dropXMLElements removes every <name>value</name> element whose value drop
// selects.
func dropXMLElements(body []byte, name string, drop func(string) bool) []byte {
	xmlElementMu.Lock()
	re := xmlElement[name]
	if re == nil {
		re = regexp.MustCompile(`\s*<` + regexp.QuoteMeta(name) + `>([^<]*)</` + regexp.QuoteMeta(name) + `>`)
		xmlElement[name] = re
	}
	xmlElementMu.Unlock()
	return re.ReplaceAllFunc(body, func(m []byte) []byte {
		if drop(xmlUnescape(string(re.FindSubmatch(m)[1]))) {
			return nil
		}
		return m
	})
}

// writeUnknownKey answers as AWS does for an access key it does not know,
// in the protocol of c's service.
func writeUnknownKey(w http.ResponseWriter, c call) {
	const invalid = "The security token included in the request is invalid."
	switch {
	case c.service == "ec2":
		writeEC2Error(w, http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
	case c.service == "route53":
		writeRoute53Error(w, http.StatusForbidden, "InvalidClientTokenId", invalid)
	case c.jsonError:
		writeJSONError(w, http.StatusBadRequest, "UnrecognizedClientException", invalid)
	default:
		writeAWSError(w, http.StatusForbidden, "InvalidClientTokenId", invalid)
	}
}

// writeQueueDoesNotExist answers as SQS does for a queue it does not know:
// in the JSON protocol with the query-compatible code header, or in the
// query protocol's XML.
func writeQueueDoesNotExist(w http.ResponseWriter, c call) {
	const msg = "The specified queue does not exist."
	if c.jsonError {
		w.Header().Set("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")
		writeJSONError(w, http.StatusBadRequest, "com.amazonaws.sqs#QueueDoesNotExist", msg)
		return
	}
	writeAWSError(w, http.StatusBadRequest, "AWS.SimpleQueueService.NonExistentQueue", msg)
}
