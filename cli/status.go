package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/mailform/mailform/check/status"
	"github.com/mailform/mailform/internal/awscfg"
)

func statusCommand() *command {
	c := &command{
		name:     "status",
		synopsis: "Show the SES account: sandbox or production, quota, reputation",
		usage:    "mailform status [PATH] [-json]",
		help: `Shows the SES account as SES sees it in the spec's region: sandbox or
production (and the production-access review and its case), the 24-hour quota
used and its maximum, the maximum send rate, the enforcement status, whether
sending is enabled, and the account's suppression list settings.

Below that, the last 14 days of sending (deliveries, bounces, complaints,
rejects per UTC day) as a small chart, and the bounce and complaint rates over
those days against AWS's thresholds: AWS reviews an account from a 5% bounce
or 0.1% complaint rate, and may pause its sending from 10% or 0.5%. Under
each rate, the CloudWatch alarms that watch it (whoever made them) and their
state: OK, ALARM or INSUFFICIENT_DATA.

It only reads. -json prints the same as a JSON document
(docs/status-and-test-send.md).`,
		example: `mailform status
mailform status examples/ses-domain -json`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, specGroup|awsGroup)
		asJSON := st.fs.Bool("json", false, "print the status as JSON")
		code, ok := st.parse(args)
		if !ok {
			return code
		}
		render := statusView(*asJSON)
		_, _, sess, ok := st.loadAndConnect(ctx, st.args)
		if !ok {
			return ExitError
		}
		r, err := status.Read(ctx, sesv2.NewFromConfig(sess.cfg), sesv1.NewFromConfig(sess.cfg), sess.region, time.Now())
		if err != nil {
			errorf(io.Stderr, awscfg.Explain(err))
			return ExitError
		}
		// The alarms are shown when they can be read; without
		// cloudwatch:DescribeAlarms the rest of the report still stands.
		if err := status.ReadAlarms(ctx, cloudwatch.NewFromConfig(sess.cfg), r); err != nil {
			fmt.Fprintf(io.Stderr, "warning: the reputation alarms are left out: %v\n", awscfg.Explain(err))
		}
		return exitOf(io, render(io.Stdout, r))
	}
	return c
}

// statusView returns the writer of status's output form: the report for a
// person, or the JSON document of docs/status-and-test-send.md (-json).
func statusView(asJSON bool) func(io.Writer, *status.Report) error {
	if asJSON {
		return status.RenderJSON
	}
	return status.Render
}
