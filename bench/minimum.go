package main

import (
	"time"
)

// The rates AWS allows per account (docs/performance.md): Route 53 5
// requests/s for the whole account, the SES control plane 1 request/s per
// region. Other services' limits are far above what mailform needs.
var awsRates = map[string]float64{"route53": 5, "ses": 1}

// Route 53's and SES's page and batch sizes.
const (
	hostedZonesPerPage  = 100   // ListHostedZones(ByName)
	recordSetsPerPage   = 300   // ListResourceRecordSets
	recordsPerBatch     = 1000  // ResourceRecord elements per ChangeResourceRecordSets
	charsPerBatch       = 32000 // characters of values per ChangeResourceRecordSets
	identitiesPerV1Read = 100   // GetIdentity*Attributes
	taggingPerPage      = 100   // tag:GetResources
)

// world is what the benchmark knows about the account just before one
// operation, and what the operation changed in Route 53 (from snapshots
// taken outside the measured window).
type world struct {
	Domains            int                   // domain blocks in the spec, each with bounce and complaint topics
	AccountZones       int                   // hosted zones in the account
	DeclaredZoneSets   []int                 // record sets in each zone the spec declares, before the operation
	ZoneChanges        map[string]zoneChange // what the operation changed, per zone
	IdentitiesBefore   int                   // SES identities in the region before the operation
	DesiredIdentities  int                   // identities the spec declares that exist before the operation
	IdentitiesToCreate int                   // identities the operation creates
	ConfigSetExists    bool                  // the spec's configuration set exists before the operation
	TopicExists        bool                  // the spec's SNS topic (and its queue) exist before the operation
	Writes             bool                  // the operation applies (apply), rather than only plans
}

// floorLine is one operation's minimum count with the reason for it.
type floorLine struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Calls     int    `json:"calls"`
	Why       string `json:"why"`
}

func ceilDiv(a, b int) int {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// minimumCalls derives the fewest calls an operation needs on w: what any
// tool that keeps mailform's guarantees (no state file, ownership checked
// on live tags and markers, exact deletes) must send. docs/performance.md
// explains every line.
func minimumCalls(w world) []floorLine {
	var out []floorLine
	add := func(service, op string, n int, why string) {
		if n > 0 {
			out = append(out, floorLine{service, op, n, why})
		}
	}
	// Route 53: find the zones, read each once, write each changed zone in
	// as few batches as its size allows.
	add("route53", "ListHostedZonesByName", ceilDiv(max(w.AccountZones, 1), hostedZonesPerPage), "the account's zones, 100 per page")
	pages := 0
	for _, sets := range w.DeclaredZoneSets {
		pages += ceilDiv(max(sets, 1), recordSetsPerPage)
	}
	add("route53", "ListResourceRecordSets", pages, "each declared zone, 300 record sets per page")
	if w.Writes {
		batches := 0
		for _, c := range w.ZoneChanges {
			if c.Records == 0 {
				continue
			}
			batches += max(1, ceilDiv(c.Records, recordsPerBatch), ceilDiv(c.Chars, charsPerBatch))
		}
		add("route53", "ChangeResourceRecordSets", batches, "each changed zone, within 1000 records and 32000 characters per batch")
	}

	// SES: the Tagging API names the stack's identities with their tags
	// (ownership, and the settings mailform recorded); SES v1's batch reads
	// return verification, DKIM, MAIL FROM and notification attributes of
	// 100 identities a call; declared identities the index does not show yet
	// are looked up by name, 100 a call. Identities that are not the stack's
	// cost nothing, and none is described one at a time (docs/ses.md).
	add("tagging", "GetResources", max(1, ceilDiv(w.DesiredIdentities, taggingPerPage)), "the stack's identities by their tag, 100 per page")
	add("ses", "GetIdentityVerificationAttributes", ceilDiv(w.DesiredIdentities, identitiesPerV1Read)+ceilDiv(w.IdentitiesToCreate, identitiesPerV1Read),
		"verification of the stack's identities, and whether the declared ones the tag index does not show exist, 100 identities per call")
	add("ses", "GetIdentityDkimAttributes", ceilDiv(w.DesiredIdentities, identitiesPerV1Read), "DKIM signing, status and tokens, 100 identities per call")
	add("ses", "GetIdentityMailFromDomainAttributes", ceilDiv(w.DesiredIdentities, identitiesPerV1Read), "MAIL FROM domain, behaviour and status, 100 identities per call")
	add("ses", "GetIdentityNotificationAttributes", ceilDiv(w.DesiredIdentities, identitiesPerV1Read), "notification topics, 100 identities per call")
	add("ses", "ListConfigurationSets", 1, "every configuration set")
	if w.ConfigSetExists {
		add("ses", "GetConfigurationSet", 1, "tags and options of the spec's set")
		add("ses", "GetConfigurationSetEventDestinations", 1, "its event destinations")
	}
	add("ses", "GetAccount", 1, "the account's suppression reasons")
	if w.Writes {
		add("ses", "CreateEmailIdentity", w.IdentitiesToCreate, "identity with tags, DKIM key length and configuration set in one call")
		add("ses", "PutEmailIdentityMailFromAttributes", w.IdentitiesToCreate, "MAIL FROM domain")
		add("ses", "SetIdentityNotificationTopic", 2*w.IdentitiesToCreate, "bounce and complaint topics, one call each")
		if !w.ConfigSetExists {
			add("ses", "CreateConfigurationSet", 1, "the configuration set with tags and options")
			add("ses", "CreateConfigurationSetEventDestination", 1, "its event destination")
		}
	}
	// Services without a binding rate limit. Stateless ownership means
	// every run looks for what the stack owns of each kind, even kinds the
	// spec no longer declares, so that a removed block is deleted: one
	// listing per kind. The existing topic and queue are then read once
	// each for their attributes and tags.
	add("sts", "GetCallerIdentity", 1, "the account ID, for ARNs")
	add("sns", "ListTopics", 1, "topics the stack owns")
	add("sqs", "ListQueues", 1, "queues the stack owns")
	add("iam", "GetAccountAuthorizationDetails", 1, "SMTP users the stack owns")
	add("ec2", "DescribeAddresses", 1, "Elastic IPs the stack owns (tag filter)")
	add("monitoring", "DescribeAlarms", 1, "reputation alarms the stack owns (name prefix)")
	add("ssm", "DescribeParameters", 1, "DKIM keys the stack keeps in SSM")
	add("secretsmanager", "ListSecrets", 1, "DKIM keys the stack keeps in Secrets Manager")
	if w.TopicExists {
		add("sns", "GetTopicAttributes", 1, "the topic's policy")
		add("sns", "ListTagsForResource", 1, "the topic's tags (ownership)")
		add("sns", "ListSubscriptionsByTopic", 1, "the queue's subscription")
		add("sqs", "GetQueueAttributes", 1, "the queue's policy and retention")
		add("sqs", "ListQueueTags", 1, "the queue's tags (ownership)")
	}
	if w.Writes {
		add("ssm", "PutParameter", 1, "take the stack's lock")
		add("ssm", "GetParameter", 1, "check the lock is still ours before releasing it")
		add("ssm", "DeleteParameter", 1, "release the lock")
		if !w.TopicExists {
			add("sns", "CreateTopic", 1, "the topic with its policy and tags")
			add("sqs", "CreateQueue", 1, "the queue with its policy, retention and tags")
			add("sns", "Subscribe", 1, "the queue's subscription")
		}
	}
	return out
}

// totals sums lines per service.
func totals(lines []floorLine) map[string]int {
	out := map[string]int{}
	for _, l := range lines {
		out[l.Service] += l.Calls
	}
	return out
}

// floorTime is the least time calls can take under AWS's rate limits,
// sped up by scale: the rate-limited services run side by side, so the
// slowest of them sets the floor. Calls to services without a binding
// limit add one latency (they can all run in parallel).
func floorTime(calls map[string]int, scale float64, latency time.Duration) time.Duration {
	var worst float64
	for svc, n := range calls {
		if rate, ok := awsRates[svc]; ok && n > 0 {
			// A bucket starts full with one second's burst, so the first
			// rate calls cost nothing.
			if s := float64(max(n-int(rate), 0)) / rate; s > worst {
				worst = s
			}
		}
	}
	return time.Duration(worst/scale*float64(time.Second)) + time.Duration(float64(latency)/scale)
}
