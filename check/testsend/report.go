package testsend

// Report is what a test-send run found.
type Report struct {
	Region           string       `json:"region"`
	Identity         string       `json:"identity"`
	From             string       `json:"from"`
	ConfigurationSet string       `json:"configuration_set,omitempty"`
	Chain            []Link       `json:"chain"`
	Paths            []PathResult `json:"paths"`
	SMTP             []SMTPResult `json:"smtp,omitempty"`
	OK               bool         `json:"ok"`
}

// Link is one link of the chain from SES to the queues: the identity's
// verification, its notification topics, the configuration set's event
// destinations, each topic, each queue's subscription and its policy.
type Link struct {
	ID     string `json:"id"` // e.g. "subscription:acme-prod-feedback->acme-prod-feedback-feedback"
	OK     bool   `json:"ok"`
	Detail string `json:"detail"` // what was found, or what is missing and how to fix it
}

// PathResult is one message to the mailbox simulator.
type PathResult struct {
	Path      string        `json:"path"` // success, bounce, ...
	Recipient string        `json:"recipient"`
	Sent      bool          `json:"sent"`
	MessageID string        `json:"message_id,omitempty"`
	SendError string        `json:"send_error,omitempty"`
	Expected  []Expectation `json:"expected"`
}

// Expectation is one notification the spec says should arrive for a message.
type Expectation struct {
	Queue string `json:"queue"`
	Topic string `json:"topic"`
	// Via says which setting publishes it: "identity notifications" or
	// "event destination NAME".
	Via           string `json:"via"`
	Form          string `json:"form"` // notificationType or eventType
	Type          string `json:"type"` // Bounce, Complaint, Delivery, Send
	BounceType    string `json:"bounce_type,omitempty"`
	BounceSubType string `json:"bounce_sub_type,omitempty"`

	Received bool   `json:"received"`
	ShapeOK  bool   `json:"shape_ok"`
	Problem  string `json:"problem,omitempty"` // what is missing or wrong

	chain []string // IDs of the links it depends on
}

// SMTPResult is one smtp_user's credentials tried on the SMTP interface.
type SMTPResult struct {
	User          string        `json:"user"` // the smtp_user label
	Username      string        `json:"username,omitempty"`
	Endpoint      string        `json:"endpoint"`
	Authenticated bool          `json:"authenticated"`
	Sent          bool          `json:"sent"`
	MessageID     string        `json:"message_id,omitempty"`
	Error         string        `json:"error,omitempty"`
	Expected      []Expectation `json:"expected,omitempty"`
}
