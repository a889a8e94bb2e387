package check

import "github.com/mailform/mailform/mailauth"

// The mail-authentication rules check applies are those of package mailauth;
// these names keep check's code and its callers reading as before.
type (
	SPFEval      = mailauth.SPFEval
	SPFEvaluator = mailauth.SPFEvaluator
	SPFTermCount = mailauth.SPFTermCount
	DMARC        = mailauth.DMARC
	DKIMKey      = mailauth.DKIMKey
)

const (
	SPFLookupLimit = mailauth.SPFLookupLimit
	SPFLookupWarn  = mailauth.SPFLookupWarn
)

var (
	IsSPF        = mailauth.IsSPF
	ParseDMARC   = mailauth.ParseDMARC
	ParseDKIMKey = mailauth.ParseDKIMKey
)
