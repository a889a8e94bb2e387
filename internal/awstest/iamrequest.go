package awstest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// requestParams holds a request's parameters whatever its protocol: the
// form of a query-protocol call (IAM, SNS, EC2, SES v1, STS), the top-level
// fields of a JSON call (SSM, Secrets Manager, SQS, SES v2), and the query
// string.
type requestParams struct {
	form url.Values
	json map[string]any
}

// readParams reads r's parameters, leaving r.Body readable.
func readParams(r *http.Request) requestParams {
	p := requestParams{form: url.Values{}}
	for k, v := range r.URL.Query() {
		p.form[k] = v
	}
	if r.Body == nil {
		return p
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || len(body) == 0 {
		return p
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if form, err := url.ParseQuery(string(body)); err == nil {
			for k, v := range form {
				p.form[k] = v
			}
		}
		return p
	}
	_ = json.Unmarshal(body, &p.json)
	return p
}

// get returns one parameter by name, from the form or the JSON body.
func (p requestParams) get(name string) string {
	if v := p.form.Get(name); v != "" {
		return v
	}
	switch v := p.json[name].(type) {
	case string:
		return v
	case bool, float64:
		return fmt.Sprint(v)
	}
	return ""
}

// list returns a list parameter: JSON ["a","b"], or the query protocol's
// Name.member.1, Name.member.2 ... (or Name.1, Name.2 for EC2).
func (p requestParams) list(name string) []string {
	if l, ok := p.json[name].([]any); ok {
		var out []string
		for _, v := range l {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	type item struct {
		n int
		v string
	}
	var items []item
	for k, v := range p.form {
		rest, ok := strings.CutPrefix(k, name+".")
		if !ok || len(v) == 0 {
			continue
		}
		rest = strings.TrimPrefix(rest, "member.")
		n := 0
		for _, c := range rest {
			if c < '0' || c > '9' {
				n = -1
				break
			}
			n = n*10 + int(c-'0')
		}
		if n > 0 {
			items = append(items, item{n, v[0]})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.v)
	}
	return out
}

// iamPrefix is the IAM service prefix of the double's signing names where
// they differ ("email" is SES's signing name for some SDKs).
var iamPrefix = map[string]string{"email": "ses", "tagging": "tag", "monitoring": "cloudwatch"}

// arnScope is where a request acts: the partition, region and account of the
// ARNs its resources have.
type arnScope struct {
	partition, region, account string
}

func (a arnScope) arn(service, region, resource string) string {
	return "arn:" + a.partition + ":" + service + ":" + region + ":" + a.account + ":" + resource
}

// authRequestFor names the IAM action of a call and the ARNs of the
// resources it acts on, where AWS authorises the action per resource
// (Service Authorization Reference, "Actions, resources, and condition keys
// for ..."); "*" where the action has no resource type or the double does
// not model it (EC2, most SNS and SES account-level calls).
func (s *Server) authRequestFor(r *http.Request, c call, principal iamPrincipal) authRequest {
	prefix := c.service
	if p, ok := iamPrefix[prefix]; ok {
		prefix = p
	}
	req := authRequest{
		action: prefix + ":" + c.operation,
		context: map[string][]string{
			"aws:requestedregion":       {c.region},
			"aws:principalarn":          {principal.arn},
			"aws:principalaccount":      {AccountID},
			"aws:principaltype":         {"User"},
			"aws:username":              {principal.userName},
			"aws:securetransport":       {"true"},
			"aws:principalisawsservice": {"false"},
		},
	}
	p := readParams(r)
	scope := arnScope{partition: "aws", region: c.region, account: AccountID}
	switch prefix {
	case "ssm":
		req.resources = ssmResources(scope, c.operation, p)
	case "secretsmanager":
		req.resources = s.secretResources(r, scope, c.operation, p)
	case "iam":
		req.resources = s.iamResources(r, scope, c.operation, p, principal)
	case "sns":
		req.resources = snsResources(scope, c.operation, p)
	case "sqs":
		req.resources = sqsResources(scope, c.operation, p)
	case "ses":
		req.resources = sesResources(scope, r, c.operation, p)
		if from := firstNonEmpty(p.get("Source"), p.get("FromEmailAddress")); from != "" {
			req.context["ses:fromaddress"] = []string{emailAddress(from)}
		}
	case "route53":
		req.resources = route53Resources(scope, r.URL.Path)
	}
	if len(req.resources) == 0 {
		req.resources = []string{"*"}
	}
	return req
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// emailAddress extracts the address of "Name <a@b>".
func emailAddress(s string) string {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return s[i+1 : i+j]
		}
	}
	return strings.TrimSpace(s)
}

func ssmResources(scope arnScope, op string, p requestParams) []string {
	param := func(name string) string {
		if strings.HasPrefix(name, "arn:") {
			return name
		}
		return scope.arn("ssm", scope.region, "parameter/"+strings.TrimPrefix(name, "/"))
	}
	switch op {
	case "GetParameter", "PutParameter", "DeleteParameter", "GetParameterHistory", "LabelParameterVersion", "UnlabelParameterVersion":
		if n := p.get("Name"); n != "" {
			return []string{param(n)}
		}
	case "GetParameters", "DeleteParameters":
		var out []string
		for _, n := range p.list("Names") {
			out = append(out, param(n))
		}
		return out
	case "AddTagsToResource", "ListTagsForResource", "RemoveTagsFromResource":
		if p.get("ResourceType") == "Parameter" {
			return []string{param(p.get("ResourceId"))}
		}
	}
	return nil
}

// secretResources names the secret of a Secrets Manager call by its ARN,
// which ends in six random characters: the ARN moto gave it, or, for a
// secret that does not exist (yet), the name with six random characters, so
// that a policy must allow NAME-?????? as AWS's documentation advises.
func (s *Server) secretResources(r *http.Request, scope arnScope, op string, p requestParams) []string {
	if op == "ListSecrets" || op == "GetRandomPassword" || op == "BatchGetSecretValue" {
		return nil
	}
	id := firstNonEmpty(p.get("SecretId"), p.get("Name"))
	if id == "" {
		return nil
	}
	if strings.HasPrefix(id, "arn:") {
		return []string{id}
	}
	if arn := s.motoSecretARN(r, scope.region, id); arn != "" {
		return []string{arn}
	}
	return []string{scope.arn("secretsmanager", scope.region, "secret:"+id+"-"+randomSuffix())}
}

func randomSuffix() string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b[:])
}

var iamUserActions = map[string]bool{
	"CreateUser": true, "GetUser": true, "DeleteUser": true, "UpdateUser": true,
	"TagUser": true, "UntagUser": true, "ListUserTags": true,
	"CreateAccessKey": true, "DeleteAccessKey": true, "ListAccessKeys": true, "UpdateAccessKey": true,
	"PutUserPolicy": true, "GetUserPolicy": true, "DeleteUserPolicy": true, "ListUserPolicies": true,
	"AttachUserPolicy": true, "DetachUserPolicy": true, "ListAttachedUserPolicies": true,
	"ListGroupsForUser": true, "CreateLoginProfile": true, "DeleteLoginProfile": true,
}

func (s *Server) iamResources(r *http.Request, scope arnScope, op string, p requestParams, principal iamPrincipal) []string {
	global := arnScope{partition: scope.partition, account: scope.account}
	switch {
	case iamUserActions[op]:
		name := p.get("UserName")
		if name == "" { // the caller's own user (ListAccessKeys, CreateAccessKey, GetUser)
			return []string{principal.arn}
		}
		userPath := p.get("Path")
		if op != "CreateUser" || userPath == "" {
			userPath = s.motoUserPath(r, name)
		}
		return []string{global.arn("iam", "", "user"+userPath+name)}
	case op == "CreatePolicy":
		policyPath := p.get("Path")
		if policyPath == "" {
			policyPath = "/"
		}
		return []string{global.arn("iam", "", "policy"+policyPath+p.get("PolicyName"))}
	case strings.Contains(op, "Policy") && p.get("PolicyArn") != "" && !strings.HasSuffix(op, "UserPolicy"):
		return []string{p.get("PolicyArn")}
	}
	return nil
}

func snsResources(scope arnScope, op string, p requestParams) []string {
	switch op {
	case "CreateTopic":
		return []string{scope.arn("sns", scope.region, p.get("Name"))}
	case "ListTagsForResource", "TagResource", "UntagResource":
		return []string{p.get("ResourceArn")}
	}
	if t := p.get("TopicArn"); t != "" {
		return []string{t}
	}
	return nil
}

func sqsResources(scope arnScope, op string, p requestParams) []string {
	if op == "ListQueues" {
		return nil
	}
	name := p.get("QueueName")
	if u := p.get("QueueUrl"); u != "" {
		name = u[strings.LastIndexByte(u, '/')+1:]
	}
	if name == "" {
		return nil
	}
	return []string{scope.arn("sqs", scope.region, name)}
}

// sesResources names the identities and configuration sets of an SES call:
// v2 carries them in the path, v1 in parameters.
func sesResources(scope arnScope, r *http.Request, op string, p requestParams) []string {
	identity := func(id string) string { return scope.arn("ses", scope.region, "identity/"+id) }
	configSet := func(n string) string { return scope.arn("ses", scope.region, "configuration-set/"+n) }
	if rest, ok := strings.CutPrefix(r.URL.Path, "/v2/email/"); ok {
		seg := strings.Split(rest, "/")
		switch {
		case len(seg) >= 2 && seg[0] == "identities" && seg[1] != "":
			return []string{identity(seg[1])}
		case len(seg) >= 2 && seg[0] == "configuration-sets" && seg[1] != "":
			return []string{configSet(seg[1])}
		case seg[0] == "tags":
			return []string{p.get("ResourceArn")}
		case seg[0] == "outbound-emails":
			if from := p.get("FromEmailAddress"); from != "" {
				return []string{identity(emailAddress(from))}
			}
		case op == "CreateEmailIdentity":
			return []string{identity(p.get("EmailIdentity"))}
		case op == "CreateConfigurationSet":
			return []string{configSet(p.get("ConfigurationSetName"))}
		}
		return nil
	}
	var out []string
	for _, id := range p.list("Identities") {
		out = append(out, identity(id))
	}
	if id := p.get("Identity"); id != "" {
		out = append(out, identity(id))
	}
	if from := p.get("Source"); from != "" && (op == "SendEmail" || op == "SendRawEmail") {
		out = append(out, identity(emailAddress(from)))
	}
	if n := p.get("ConfigurationSetName"); n != "" && out == nil {
		out = append(out, configSet(n))
	}
	return out
}

func route53Resources(scope arnScope, urlPath string) []string {
	seg := strings.Split(strings.Trim(strings.TrimPrefix(urlPath, "/2013-04-01"), "/"), "/")
	if len(seg) >= 2 && (seg[0] == "hostedzone" || seg[0] == "change") {
		return []string{"arn:" + scope.partition + ":route53:::" + seg[0] + "/" + seg[1]}
	}
	return nil
}
