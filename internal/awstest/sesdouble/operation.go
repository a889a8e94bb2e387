package sesdouble

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// v2Route is one operation of the SES v2 REST API: its HTTP method and URI
// template, as in the aws-sdk-go-v2 service model.
type v2Route struct {
	method, template, operation string
}

// v2Routes lists every operation of the sesv2 model (aws-sdk-go-v2 service/sesv2
// v1.79.9), so that Operation can name any request, emulated or not, plus the
// GET forms of the two list operations that older SDK versions send.
var v2Routes = []v2Route{
	{"POST", "/v2/email/identity/certificates", "AssociateEmailIdentityCertificate"},
	{"POST", "/v2/email/metrics/batch", "BatchGetMetricData"},
	{"PUT", "/v2/email/export-jobs/{JobId}/cancel", "CancelExportJob"},
	{"POST", "/v2/email/configuration-sets", "CreateConfigurationSet"},
	{"POST", "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations", "CreateConfigurationSetEventDestination"},
	{"POST", "/v2/email/contact-lists/{ContactListName}/contacts", "CreateContact"},
	{"POST", "/v2/email/contact-lists", "CreateContactList"},
	{"POST", "/v2/email/custom-verification-email-templates", "CreateCustomVerificationEmailTemplate"},
	{"POST", "/v2/email/dedicated-ip-pools", "CreateDedicatedIpPool"},
	{"POST", "/v2/email/deliverability-dashboard/test", "CreateDeliverabilityTestReport"},
	{"POST", "/v2/email/identities", "CreateEmailIdentity"},
	{"POST", "/v2/email/identities/{EmailIdentity}/policies/{PolicyName}", "CreateEmailIdentityPolicy"},
	{"POST", "/v2/email/templates", "CreateEmailTemplate"},
	{"POST", "/v2/email/export-jobs", "CreateExportJob"},
	{"POST", "/v2/email/import-jobs", "CreateImportJob"},
	{"POST", "/v2/email/multi-region-endpoints", "CreateMultiRegionEndpoint"},
	{"POST", "/v2/email/tenants", "CreateTenant"},
	{"POST", "/v2/email/tenants/resources", "CreateTenantResourceAssociation"},
	{"DELETE", "/v2/email/configuration-sets/{ConfigurationSetName}", "DeleteConfigurationSet"},
	{"DELETE", "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations/{EventDestinationName}", "DeleteConfigurationSetEventDestination"},
	{"DELETE", "/v2/email/contact-lists/{ContactListName}/contacts/{EmailAddress}", "DeleteContact"},
	{"DELETE", "/v2/email/contact-lists/{ContactListName}", "DeleteContactList"},
	{"DELETE", "/v2/email/custom-verification-email-templates/{TemplateName}", "DeleteCustomVerificationEmailTemplate"},
	{"DELETE", "/v2/email/dedicated-ip-pools/{PoolName}", "DeleteDedicatedIpPool"},
	{"DELETE", "/v2/email/identities/{EmailIdentity}", "DeleteEmailIdentity"},
	{"DELETE", "/v2/email/identities/{EmailIdentity}/policies/{PolicyName}", "DeleteEmailIdentityPolicy"},
	{"DELETE", "/v2/email/templates/{TemplateName}", "DeleteEmailTemplate"},
	{"DELETE", "/v2/email/multi-region-endpoints/{EndpointName}", "DeleteMultiRegionEndpoint"},
	{"DELETE", "/v2/email/suppression/addresses/{EmailAddress}", "DeleteSuppressedDestination"},
	{"POST", "/v2/email/tenants/delete", "DeleteTenant"},
	{"POST", "/v2/email/tenants/resources/delete", "DeleteTenantResourceAssociation"},
	{"POST", "/v2/email/identity/certificates/delete", "DisassociateEmailIdentityCertificate"},
	{"GET", "/v2/email/account", "GetAccount"},
	{"GET", "/v2/email/deliverability-dashboard/blacklist-report", "GetBlacklistReports"},
	{"GET", "/v2/email/configuration-sets/{ConfigurationSetName}", "GetConfigurationSet"},
	{"GET", "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations", "GetConfigurationSetEventDestinations"},
	{"GET", "/v2/email/contact-lists/{ContactListName}/contacts/{EmailAddress}", "GetContact"},
	{"GET", "/v2/email/contact-lists/{ContactListName}", "GetContactList"},
	{"GET", "/v2/email/custom-verification-email-templates/{TemplateName}", "GetCustomVerificationEmailTemplate"},
	{"GET", "/v2/email/dedicated-ips/{Ip}", "GetDedicatedIp"},
	{"GET", "/v2/email/dedicated-ip-pools/{PoolName}", "GetDedicatedIpPool"},
	{"GET", "/v2/email/dedicated-ips", "GetDedicatedIps"},
	{"GET", "/v2/email/deliverability-dashboard", "GetDeliverabilityDashboardOptions"},
	{"GET", "/v2/email/deliverability-dashboard/test-reports/{ReportId}", "GetDeliverabilityTestReport"},
	{"GET", "/v2/email/deliverability-dashboard/campaigns/{CampaignId}", "GetDomainDeliverabilityCampaign"},
	{"GET", "/v2/email/deliverability-dashboard/statistics-report/{Domain}", "GetDomainStatisticsReport"},
	{"POST", "/v2/email/email-address-insights", "GetEmailAddressInsights"},
	{"GET", "/v2/email/identities/{EmailIdentity}", "GetEmailIdentity"},
	{"GET", "/v2/email/identities/{EmailIdentity}/policies", "GetEmailIdentityPolicies"},
	{"GET", "/v2/email/templates/{TemplateName}", "GetEmailTemplate"},
	{"GET", "/v2/email/export-jobs/{JobId}", "GetExportJob"},
	{"GET", "/v2/email/import-jobs/{JobId}", "GetImportJob"},
	{"GET", "/v2/email/insights/{MessageId}", "GetMessageInsights"},
	{"GET", "/v2/email/multi-region-endpoints/{EndpointName}", "GetMultiRegionEndpoint"},
	{"GET", "/v2/email/reputation/entities/{ReputationEntityType}/{ReputationEntityReference}", "GetReputationEntity"},
	{"GET", "/v2/email/suppression/addresses/{EmailAddress}", "GetSuppressedDestination"},
	{"POST", "/v2/email/tenants/get", "GetTenant"},
	{"POST", "/v2/email/list-configuration-sets", "ListConfigurationSets"},
	{"GET", "/v2/email/contact-lists", "ListContactLists"},
	{"POST", "/v2/email/contact-lists/{ContactListName}/contacts/list", "ListContacts"},
	{"GET", "/v2/email/custom-verification-email-templates", "ListCustomVerificationEmailTemplates"},
	{"GET", "/v2/email/dedicated-ip-pools", "ListDedicatedIpPools"},
	{"GET", "/v2/email/deliverability-dashboard/test-reports", "ListDeliverabilityTestReports"},
	{"GET", "/v2/email/deliverability-dashboard/domains/{SubscribedDomain}/campaigns", "ListDomainDeliverabilityCampaigns"},
	{"POST", "/v2/email/list-identities", "ListEmailIdentities"},
	{"POST", "/v2/email/identity/certificates/list", "ListEmailIdentityCertificates"},
	{"GET", "/v2/email/templates", "ListEmailTemplates"},
	{"POST", "/v2/email/list-export-jobs", "ListExportJobs"},
	{"POST", "/v2/email/import-jobs/list", "ListImportJobs"},
	{"GET", "/v2/email/multi-region-endpoints", "ListMultiRegionEndpoints"},
	{"POST", "/v2/email/vdm/recommendations", "ListRecommendations"},
	{"POST", "/v2/email/reputation/entities", "ListReputationEntities"},
	{"POST", "/v2/email/resources/tenants/list", "ListResourceTenants"},
	{"GET", "/v2/email/suppression/addresses", "ListSuppressedDestinations"},
	{"GET", "/v2/email/tags", "ListTagsForResource"},
	{"POST", "/v2/email/tenants/resources/list", "ListTenantResources"},
	{"POST", "/v2/email/tenants/list", "ListTenants"},
	{"PUT", "/v2/email/account/dedicated-ips/warmup", "PutAccountDedicatedIpWarmupAttributes"},
	{"POST", "/v2/email/account/details", "PutAccountDetails"},
	{"PUT", "/v2/email/account/pricing-attributes", "PutAccountPricingAttributes"},
	{"PUT", "/v2/email/account/sending", "PutAccountSendingAttributes"},
	{"PUT", "/v2/email/account/suppression", "PutAccountSuppressionAttributes"},
	{"PUT", "/v2/email/account/vdm", "PutAccountVdmAttributes"},
	{"PUT", "/v2/email/configuration-sets/{ConfigurationSetName}/archiving-options", "PutConfigurationSetArchivingOptions"},
	{"PUT", "/v2/email/configuration-sets/{ConfigurationSetName}/delivery-options", "PutConfigurationSetDeliveryOptions"},
	{"PUT", "/v2/email/configuration-sets/{ConfigurationSetName}/reputation-options", "PutConfigurationSetReputationOptions"},
	{"PUT", "/v2/email/configuration-sets/{ConfigurationSetName}/sending", "PutConfigurationSetSendingOptions"},
	{"PUT", "/v2/email/configuration-sets/{ConfigurationSetName}/suppression-options", "PutConfigurationSetSuppressionOptions"},
	{"PUT", "/v2/email/configuration-sets/{ConfigurationSetName}/tracking-options", "PutConfigurationSetTrackingOptions"},
	{"PUT", "/v2/email/configuration-sets/{ConfigurationSetName}/vdm-options", "PutConfigurationSetVdmOptions"},
	{"PUT", "/v2/email/dedicated-ips/{Ip}/pool", "PutDedicatedIpInPool"},
	{"PUT", "/v2/email/dedicated-ip-pools/{PoolName}/scaling", "PutDedicatedIpPoolScalingAttributes"},
	{"PUT", "/v2/email/dedicated-ips/{Ip}/warmup", "PutDedicatedIpWarmupAttributes"},
	{"PUT", "/v2/email/deliverability-dashboard", "PutDeliverabilityDashboardOption"},
	{"PUT", "/v2/email/identities/{EmailIdentity}/configuration-set", "PutEmailIdentityConfigurationSetAttributes"},
	{"PUT", "/v2/email/identities/{EmailIdentity}/dkim", "PutEmailIdentityDkimAttributes"},
	{"PUT", "/v2/email/identities/{EmailIdentity}/dkim/signing", "PutEmailIdentityDkimSigningAttributes"},
	{"PUT", "/v2/email/identities/{EmailIdentity}/feedback", "PutEmailIdentityFeedbackAttributes"},
	{"PUT", "/v2/email/identities/{EmailIdentity}/mail-from", "PutEmailIdentityMailFromAttributes"},
	{"PUT", "/v2/email/suppression/addresses", "PutSuppressedDestination"},
	{"POST", "/v2/email/tenant/suppression", "PutTenantSuppressionAttributes"},
	{"POST", "/v2/email/outbound-bulk-emails", "SendBulkEmail"},
	{"POST", "/v2/email/outbound-custom-verification-emails", "SendCustomVerificationEmail"},
	{"POST", "/v2/email/outbound-emails", "SendEmail"},
	{"POST", "/v2/email/tags", "TagResource"},
	{"POST", "/v2/email/templates/{TemplateName}/render", "TestRenderEmailTemplate"},
	{"DELETE", "/v2/email/tags", "UntagResource"},
	{"POST", "/v2/email/update-configuration-sets", "UpdateConfigurationSet"},
	{"PUT", "/v2/email/configuration-sets/{ConfigurationSetName}/event-destinations/{EventDestinationName}", "UpdateConfigurationSetEventDestination"},
	{"PUT", "/v2/email/contact-lists/{ContactListName}/contacts/{EmailAddress}", "UpdateContact"},
	{"PUT", "/v2/email/contact-lists/{ContactListName}", "UpdateContactList"},
	{"PUT", "/v2/email/custom-verification-email-templates/{TemplateName}", "UpdateCustomVerificationEmailTemplate"},
	{"PUT", "/v2/email/identities/{EmailIdentity}/policies/{PolicyName}", "UpdateEmailIdentityPolicy"},
	{"PUT", "/v2/email/templates/{TemplateName}", "UpdateEmailTemplate"},
	{"PUT", "/v2/email/reputation/entities/{ReputationEntityType}/{ReputationEntityReference}/customer-managed-status", "UpdateReputationEntityCustomerManagedStatus"},
	{"PUT", "/v2/email/reputation/entities/{ReputationEntityType}/{ReputationEntityReference}/policy", "UpdateReputationEntityPolicy"},
	{"GET", "/v2/email/identities", "ListEmailIdentities"},
	{"GET", "/v2/email/configuration-sets", "ListConfigurationSets"},
}

// matchV2 finds the route of a v2 request and the values of its URI labels.
// Among templates that match, the one with the most literal segments wins.
func matchV2(method, escapedPath string) (string, map[string]string, bool) {
	segs := strings.Split(strings.Trim(escapedPath, "/"), "/")
	best, bestLiterals := -1, -1
	var bestLabels map[string]string
	for i, rt := range v2Routes {
		if rt.method != method {
			continue
		}
		tsegs := strings.Split(strings.Trim(rt.template, "/"), "/")
		if len(tsegs) != len(segs) {
			continue
		}
		labels := map[string]string{}
		literals := 0
		ok := true
		for j, t := range tsegs {
			if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
				v, err := url.PathUnescape(segs[j])
				if err != nil || v == "" {
					ok = false
					break
				}
				labels[strings.Trim(t, "{}")] = v
				continue
			}
			if t != segs[j] {
				ok = false
				break
			}
			literals++
		}
		if ok && literals > bestLiterals {
			best, bestLiterals, bestLabels = i, literals, labels
		}
	}
	if best < 0 {
		return "", nil, false
	}
	return v2Routes[best].operation, bestLabels, true
}

// Operation returns the AWS operation name of an SES request
// ("CreateEmailIdentity", "GetIdentityDkimAttributes", ...). It reads the form
// body of a v1 request and restores r.Body, so the request can still be served.
func Operation(r *http.Request) (string, error) {
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		op, _, ok := matchV2(r.Method, r.URL.EscapedPath())
		if !ok {
			return "", errors.New("ses: no v2 operation for " + r.Method + " " + r.URL.Path)
		}
		return op, nil
	}
	if a := r.URL.Query().Get("Action"); a != "" {
		return a, nil
	}
	if r.Body == nil {
		return "", errors.New("ses: request has no Action")
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", err
	}
	if a := form.Get("Action"); a != "" {
		return a, nil
	}
	return "", errors.New("ses: request has no Action")
}

// IsSend reports whether op sends mail (SendEmail, SendRawEmail,
// SendTemplatedEmail, SendBulkEmail and their v1 bulk form): these are limited
// by the account's sending rate, not by the 1 request/s control-plane limit.
func IsSend(op string) bool {
	switch op {
	case "SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkEmail", "SendBulkTemplatedEmail":
		return true
	}
	return false
}
