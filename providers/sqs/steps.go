package sqs

import (
	"strconv"

	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/mailform/mailform/internal/policydoc"
	"github.com/mailform/mailform/specs"
)

// queueMark is what ensure does to the tags of a queue that exists.
type queueMark struct {
	// adopt: the queue carries no stack's mark and the change adopts it.
	adopt bool
	// retag: the stack's mark and the block's address are to be (re)set.
	retag bool
}

// markQueue decides whether ensure may take the existing queue name (tagged
// tags) for the block at addr of stack, and how it tags it. adopting is the
// change's Adopt: a queue without any stack's mark may then become ours.
func markQueue(name string, tags map[string]string, stack, addr string, adopting bool) (queueMark, error) {
	m := queueMark{adopt: adopting && tags[specs.TagStack] == ""}
	if !m.adopt {
		if err := checkOwner(name, tags, stack); err != nil {
			return queueMark{}, err
		}
	}
	m.retag = tags[specs.TagAddr] != addr || m.adopt
	return m, nil
}

// staleTopics lists, once each and in order, the topics of topics other
// than keep that the queue may still be subscribed to.
func staleTopics(topics []string, keep string) []string {
	seen := map[string]bool{keep: true, "": true}
	var out []string
	for _, t := range topics {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// queueAttributes is the SetQueueAttributes the queue q needs to carry
// policy and, when hasRetention, retention (seconds); nil when it carries
// them. Both attributes are sent whenever either differs: moto 5.2.1 clears
// a queue's policy on a SetQueueAttributes without one, and resending the
// same value costs nothing in AWS.
func queueAttributes(q queue, policy string, retention int64, hasRetention bool) map[string]string {
	if policydoc.Same(q.policy, policy) && (!hasRetention || q.retention == retention) {
		return nil
	}
	set := map[string]string{string(sqstypes.QueueAttributeNamePolicy): policy}
	if hasRetention {
		set[string(sqstypes.QueueAttributeNameMessageRetentionPeriod)] = strconv.FormatInt(retention, 10)
	}
	return set
}
