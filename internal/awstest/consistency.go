package awstest

import (
	"fmt"
	"time"
)

// Consistency modes of the double (Options.Consistency).
const (
	// ConsistencyImmediate answers every read with the latest write: the
	// double is kinder than AWS. Unit-level tests of the double use it.
	ConsistencyImmediate = "immediate"
	// ConsistencyAWS makes the double as eventually consistent and as slow to
	// verify as AWS documents (docs/sandbox.md lists each delay and its
	// source). Every delay is divided by Options.TimeScale.
	ConsistencyAWS = "aws"
)

// AWSDelays are the delays ConsistencyAWS uses for every delay field left at
// zero, before time scaling. Where AWS documents a figure it is used; where it
// documents only that a delay exists, the double picks a long plausible one,
// so that mailform is tested against the inconvenient case.
var AWSDelays = Delays{
	ChangeDelay: 60 * time.Second, // Route 53: "changes generally propagate to all name servers within 60 seconds"
	// Route 53 rejects a zone's next request while it "can't process a
	// request before the next request arrives" (PriorRequestNotComplete),
	// for an undocumented time: 2 s, longer than a mailform batch takes to
	// build, so that a zone's second batch meets it.
	ChangeProcessing: 2 * time.Second,
	PTRDelay:         5 * time.Minute,  // EC2 reverse DNS: PENDING until AWS's resolvers see the update
	AccessKeyDelay:   30 * time.Second, // IAM: "changes ... are not immediately visible"
	SecretNameHold:   30 * time.Second, // Secrets Manager: force delete is an asynchronous background process
	QueueDelay:       1 * time.Second,  // SQS: "wait at least one second after the queue is created"
	ListLag:          10 * time.Second, // List* calls may omit what was created in the last seconds
	VerifyDelay:      10 * time.Minute, // SES: DNS is searched for up to 72 hours; minutes is common
}

// Delays are the emulated eventual-consistency delays, unscaled.
type Delays struct {
	// ChangeDelay is how long a Route 53 change stays PENDING before INSYNC.
	ChangeDelay time.Duration
	// ChangeProcessing is how long Route 53 is still processing an accepted
	// ChangeResourceRecordSets request: a further change of the same zone
	// within it answers PriorRequestNotComplete. A PENDING change does not
	// refuse anything.
	ChangeProcessing time.Duration
	// PTRDelay is how long an Elastic IP reverse-DNS update stays PENDING.
	PTRDelay time.Duration
	// AccessKeyDelay is how long a new IAM access key is refused by SigV4
	// (InvalidClientTokenId) and by the SMTP interface (535) after
	// CreateAccessKey.
	AccessKeyDelay time.Duration
	// SecretNameHold is how long a Secrets Manager name stays taken after
	// DeleteSecret with ForceDeleteWithoutRecovery.
	SecretNameHold time.Duration
	// QueueDelay is how long a new SQS queue answers QueueDoesNotExist.
	QueueDelay time.Duration
	// ListLag is how long List* calls (ListTopics, ListQueues, ListSecrets,
	// DescribeAddresses by tag, GetAccountAuthorizationDetails,
	// ListEmailIdentities) may omit a resource after its creation.
	ListLag time.Duration
	// VerifyDelay is how long SES takes to find DKIM and MAIL FROM records
	// after they are published, before an identity turns SUCCESS.
	VerifyDelay time.Duration
}

// withConsistency returns o with the delays its Consistency mode implies:
// ConsistencyAWS fills every zero delay from AWSDelays.
func (o Options) withConsistency() (Options, error) {
	switch o.Consistency {
	case "", ConsistencyImmediate:
		return o, nil
	case ConsistencyAWS:
	default:
		return o, fmt.Errorf("consistency %q: want %q or %q", o.Consistency, ConsistencyImmediate, ConsistencyAWS)
	}
	fill := func(d *time.Duration, aws time.Duration) {
		if *d == 0 {
			*d = aws
		}
	}
	fill(&o.ChangeDelay, AWSDelays.ChangeDelay)
	fill(&o.ChangeProcessing, AWSDelays.ChangeProcessing)
	fill(&o.PTRDelay, AWSDelays.PTRDelay)
	fill(&o.AccessKeyDelay, AWSDelays.AccessKeyDelay)
	fill(&o.SecretNameHold, AWSDelays.SecretNameHold)
	fill(&o.QueueDelay, AWSDelays.QueueDelay)
	fill(&o.ListLag, AWSDelays.ListLag)
	fill(&o.VerifyDelay, AWSDelays.VerifyDelay)
	return o, nil
}
