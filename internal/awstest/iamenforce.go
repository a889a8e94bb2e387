package awstest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// With Options.EnforceIAM the double authorises every request signed with
// an IAM user's access key (one created through the double) against that
// user's identity policies: inline and attached managed policies of the
// user and of its groups, read from moto and cached until the next mutating
// IAM call. Every service is covered, the emulated ones (SES, Route 53,
// EC2 reverse DNS) included. A key that belongs to no IAM user (the
// account's root credentials, as tests use) is allowed everything, as the
// root user is on AWS. sts:GetCallerIdentity needs no permission (AWS: "No
// permissions are required to perform this operation").
//
// moto's own access control (INITIAL_NO_AUTH_ACTION_COUNT) is not used: it
// refuses unknown keys, which would break every test's root credentials,
// and it does not cover the services the double emulates itself.

// iamPrincipal is the IAM user a request acts as.
type iamPrincipal struct {
	userName string
	arn      string
}

// userPolicies are one user's ARN and identity policies.
type userPolicies struct {
	arn      string
	policies []policyDocument
}

// accessKeyID reads the access key ID from the SigV4 Authorization header.
func accessKeyID(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	cred := auth[i+len("Credential="):]
	key, _, _ := strings.Cut(cred, "/")
	return key
}

// freeActions need no permission.
var freeActions = map[string]bool{"sts:GetCallerIdentity": true}

// authorize decides c when EnforceIAM is on, writing the service's refusal
// and returning false when the caller's policies do not allow it.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, c call) bool {
	if !s.Options().EnforceIAM {
		return true
	}
	s.keys.mu.Lock()
	userName, ok := s.keys.users[accessKeyID(r)]
	s.keys.mu.Unlock()
	if !ok || freeActions[c.String()] {
		return true
	}
	up, err := s.userPolicies(r.Context(), userName)
	if err != nil {
		writeServiceError(w, c, http.StatusInternalServerError, "InternalFailure",
			"the local AWS double could not read the policies of "+userName+": "+err.Error())
		return false
	}
	principal := iamPrincipal{userName: userName, arn: up.arn}
	req := s.authRequestFor(r, c, principal)
	d := evaluate(up.policies, req)
	if d == allowed {
		return true
	}
	msg := writeAccessDenied(w, c, principal, req, up.policies, d)
	s.keys.mu.Lock()
	s.keys.denials = append(s.keys.denials, msg)
	s.keys.mu.Unlock()
	return false
}

// Denials lists the calls EnforceIAM refused since the last reset, as AWS's
// messages ("User: ARN is not authorized to perform: ACTION ..."), for
// tests that prove a policy is enough.
func (s *Server) Denials() []string {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	return append([]string(nil), s.keys.denials...)
}

// forgetPolicies drops the cached policies after a change to IAM.
func (s *Server) forgetPolicies() {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	s.keys.policies = nil
}

// userPolicies returns the cached policies of a user, reading them from
// moto when absent.
func (s *Server) userPolicies(ctx context.Context, userName string) (*userPolicies, error) {
	s.keys.mu.Lock()
	up := s.keys.policies[userName]
	s.keys.mu.Unlock()
	if up != nil {
		return up, nil
	}
	up, err := s.readUserPolicies(ctx, userName)
	if err != nil {
		return nil, err
	}
	s.keys.mu.Lock()
	if s.keys.policies == nil {
		s.keys.policies = map[string]*userPolicies{}
	}
	s.keys.policies[userName] = up
	s.keys.mu.Unlock()
	return up, nil
}

func (s *Server) readUserPolicies(ctx context.Context, userName string) (*userPolicies, error) {
	api := iam.NewFromConfig(s.motoConfig("us-east-1"))
	user, err := api.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(userName)})
	if err != nil {
		var nse *iamtypes.NoSuchEntityException
		if errors.As(err, &nse) {
			// A deleted user's key: nothing is allowed.
			return &userPolicies{arn: "arn:aws:iam::" + AccountID + ":user/" + userName}, nil
		}
		return nil, err
	}
	up := &userPolicies{arn: aws.ToString(user.User.Arn)}
	add := func(encoded *string) error {
		doc, err := url.QueryUnescape(aws.ToString(encoded))
		if err != nil {
			doc = aws.ToString(encoded)
		}
		p, err := parsePolicy(doc)
		if err != nil {
			return err
		}
		up.policies = append(up.policies, p)
		return nil
	}
	addManaged := func(arn *string) error {
		pol, err := api.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
		if err != nil {
			return err
		}
		v, err := api.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: pol.Policy.DefaultVersionId})
		if err != nil {
			return err
		}
		return add(v.PolicyVersion.Document)
	}
	inline, err := api.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String(userName)})
	if err != nil {
		return nil, err
	}
	for _, name := range inline.PolicyNames {
		got, err := api.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String(userName), PolicyName: aws.String(name)})
		if err != nil {
			return nil, err
		}
		if err := add(got.PolicyDocument); err != nil {
			return nil, fmt.Errorf("inline policy %s: %w", name, err)
		}
	}
	attached, err := api.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(userName)})
	if err != nil {
		return nil, err
	}
	for _, a := range attached.AttachedPolicies {
		if err := addManaged(a.PolicyArn); err != nil {
			return nil, fmt.Errorf("managed policy %s: %w", aws.ToString(a.PolicyArn), err)
		}
	}
	groups, err := api.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String(userName)})
	if err != nil {
		return nil, err
	}
	for _, g := range groups.Groups {
		names, err := api.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: g.GroupName})
		if err != nil {
			return nil, err
		}
		for _, name := range names.PolicyNames {
			got, err := api.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: g.GroupName, PolicyName: aws.String(name)})
			if err != nil {
				return nil, err
			}
			if err := add(got.PolicyDocument); err != nil {
				return nil, fmt.Errorf("group policy %s: %w", name, err)
			}
		}
		ga, err := api.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: g.GroupName})
		if err != nil {
			return nil, err
		}
		for _, a := range ga.AttachedPolicies {
			if err := addManaged(a.PolicyArn); err != nil {
				return nil, fmt.Errorf("managed policy %s: %w", aws.ToString(a.PolicyArn), err)
			}
		}
	}
	return up, nil
}

// motoUserPath returns the path of an IAM user ("/" when it does not exist).
func (s *Server) motoUserPath(r *http.Request, userName string) string {
	got, err := iam.NewFromConfig(s.motoConfig("us-east-1")).GetUser(r.Context(), &iam.GetUserInput{UserName: aws.String(userName)})
	if err != nil || got.User.Path == nil {
		return "/"
	}
	return aws.ToString(got.User.Path)
}

// motoSecretARN returns the ARN of a secret by name, or "" when there is none.
func (s *Server) motoSecretARN(r *http.Request, region, id string) string {
	got, err := secretsmanager.NewFromConfig(s.motoConfig(region)).DescribeSecret(r.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return ""
	}
	return aws.ToString(got.ARN)
}

// writeAccessDenied answers a refused call as its service does on AWS: the
// code and HTTP status of its protocol, and AWS's message "User: ARN is not
// authorized to perform: ACTION on resource: RESOURCE because no
// identity-based policy allows the ACTION action" (docs/sandbox.md cites
// each shape).
func writeAccessDenied(w http.ResponseWriter, c call, p iamPrincipal, req authRequest, policies []policyDocument, d decision) string {
	resource := "*"
	for _, res := range req.resources {
		if evaluateOne(policies, req.action, res, req.context) != allowed {
			resource = res
			break
		}
	}
	action := req.action
	if c.service == "sns" {
		action = "SNS:" + c.operation // SNS names its actions in upper case
	}
	msg := "User: " + p.arn + " is not authorized to perform: " + action
	if resource != "*" {
		msg += " on resource: " + resource
	}
	if d == explicitDeny {
		msg += " with an explicit deny in an identity-based policy"
	} else {
		msg += " because no identity-based policy allows the " + action + " action"
	}
	switch {
	case c.cborError: // the Resource Groups Tagging API (smithy RPC v2 CBOR)
		writeCBORError(w, http.StatusBadRequest, "AccessDeniedException", msg)
	case c.service == "route53":
		writeRoute53Error(w, http.StatusForbidden, "AccessDenied", msg)
	case c.service == "ec2":
		writeEC2Error(w, http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation. "+msg)
	case c.service == "sns":
		writeAWSError(w, http.StatusForbidden, "AuthorizationError", msg)
	case c.service == "sqs":
		// SQS's JSON protocol keeps its query-protocol code in a header, and
		// its message names neither the action nor the queue.
		w.Header().Set("x-amzn-query-error", "AccessDenied;Sender")
		writeJSONError(w, http.StatusForbidden, "com.amazon.coral.service#AccessDeniedException",
			"Access to the resource https://sqs."+c.region+".amazonaws.com/ is denied.")
	case c.service == "ses" && !c.jsonError:
		if resource != "*" {
			msg = "User `" + p.arn + "' is not authorized to perform `" + action + "' on resource `" + resource + "'"
		}
		writeAWSError(w, http.StatusForbidden, "AccessDenied", msg)
	case c.service == "ses":
		writeJSONError(w, http.StatusForbidden, "AccessDeniedException", msg)
	case c.jsonError: // SSM, Secrets Manager
		writeJSONError(w, http.StatusBadRequest, "AccessDeniedException", msg)
	default: // IAM, STS
		writeAWSError(w, http.StatusForbidden, "AccessDenied", msg)
	}
	return msg
}
