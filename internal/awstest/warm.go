package awstest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// warmRequests are cheap read calls, one per service mailform uses. moto
// imports a service's backend on its first call, which takes seconds; warming
// them all in parallel while the double starts keeps that cost out of the
// first plan.
var warmRequests = []struct {
	service, target, form string
}{
	{"sts", "", "Action=GetCallerIdentity&Version=2011-06-15"},
	{"iam", "", "Action=ListUsers&Version=2010-05-08"},
	{"ec2", "", "Action=DescribeAddresses&Version=2016-11-15"},
	{"sns", "", "Action=ListTopics&Version=2010-03-31"},
	{"ses", "", "Action=ListIdentities&Version=2010-12-01"},
	{"sqs", "AmazonSQS.ListQueues", "{}"},
	{"ssm", "AmazonSSM.DescribeParameters", "{}"},
	{"secretsmanager", "secretsmanager.ListSecrets", "{}"},
}

// warmMoto makes moto load every backend mailform uses. Failures are ignored:
// a backend that does not warm is loaded on first use instead.
func warmMoto(ctx context.Context, motoURL string) {
	var wg sync.WaitGroup
	for _, w := range warmRequests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, motoURL+"/", strings.NewReader(w.form))
			if err != nil {
				return
			}
			scope := "AKIDWARM/20260101/us-east-1/" + w.service + "/aws4_request"
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+scope+", SignedHeaders=host, Signature=0")
			if w.target != "" {
				req.Header.Set("X-Amz-Target", w.target)
				req.Header.Set("Content-Type", "application/x-amz-json-1.1")
				if w.service == "sqs" {
					req.Header.Set("Content-Type", "application/x-amz-json-1.0")
				}
			} else {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	// Route 53 is REST: a GET of the zone list.
	wg.Add(1)
	go func() {
		defer wg.Done()
		u, _ := url.JoinPath(motoURL, "/2013-04-01/hostedzone")
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDWARM/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	wg.Wait()
}
