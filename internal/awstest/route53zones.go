package awstest

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
)

// listHostedZonesByName answers ListHostedZonesByName as Route 53 does: the
// account's zones ordered by name with the labels reversed
// (com.example.www.), then by ID, starting at DNSName (and HostedZoneId),
// at most MaxItems (100) per page, with NextDNSName and NextHostedZoneId
// when there are more. moto returns only the zones named exactly DNSName,
// which hides how many calls a client needs to resolve many zones.
func (d *route53Double) listHostedZonesByName(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	maxItems := 100
	if v := q.Get("maxitems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", "MaxItems must be a positive integer")
			return
		}
		maxItems = min(n, 100)
	}
	dnsName, startID := q.Get("dnsname"), q.Get("hostedzoneid")
	if startID != "" && dnsName == "" {
		writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", "HostedZoneId requires DNSName")
		return
	}
	client := route53.NewFromConfig(d.s.motoConfig("us-east-1"))
	var zones []hostedZoneXML
	p := route53.NewListHostedZonesPaginator(client, &route53.ListHostedZonesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(r.Context())
		if err != nil {
			writeRoute53Error(w, http.StatusInternalServerError, "InternalFailure", "reading hosted zones from moto: "+err.Error())
			return
		}
		for _, z := range page.HostedZones {
			hz := hostedZoneXML{
				ID: aws.ToString(z.Id), Name: aws.ToString(z.Name), CallerReference: aws.ToString(z.CallerReference),
				ResourceRecordSetCount: aws.ToInt64(z.ResourceRecordSetCount),
			}
			if z.Config != nil {
				hz.Config.Comment = aws.ToString(z.Config.Comment)
				hz.Config.PrivateZone = z.Config.PrivateZone
			}
			zones = append(zones, hz)
		}
	}
	sort.Slice(zones, func(i, j int) bool {
		ki, kj := reversedLabels(zones[i].Name), reversedLabels(zones[j].Name)
		if ki != kj {
			return ki < kj
		}
		return zones[i].ID < zones[j].ID
	})
	start := 0
	if dnsName != "" {
		key := reversedLabels(dnsName)
		start = sort.Search(len(zones), func(i int) bool {
			k := reversedLabels(zones[i].Name)
			if k != key {
				return k > key
			}
			return startID == "" || strings.TrimPrefix(zones[i].ID, "/hostedzone/") >= strings.TrimPrefix(startID, "/hostedzone/")
		})
	}
	end := min(start+maxItems, len(zones))
	resp := listHostedZonesByNameXML{
		Xmlns: route53Namespace, HostedZones: zones[start:end], DNSName: dnsName, HostedZoneID: startID,
		IsTruncated: end < len(zones), MaxItems: strconv.Itoa(maxItems),
	}
	if resp.IsTruncated {
		resp.NextDNSName = zones[end].Name
		resp.NextHostedZoneID = strings.TrimPrefix(zones[end].ID, "/hostedzone/")
	}
	body, err := xml.Marshal(resp)
	if err != nil {
		writeRoute53Error(w, http.StatusInternalServerError, "InternalFailure", err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write(append([]byte(xml.Header), body...))
}

// reversedLabels is the sort key of a zone name in Route 53's zone lists.
func reversedLabels(name string) string {
	labels := strings.Split(strings.TrimSuffix(strings.ToLower(name), "."), ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	return strings.Join(labels, ".")
}

type hostedZoneXML struct {
	ID              string `xml:"Id"`
	Name            string `xml:"Name"`
	CallerReference string `xml:"CallerReference"`
	Config          struct {
		Comment     string `xml:"Comment,omitempty"`
		PrivateZone bool   `xml:"PrivateZone"`
	} `xml:"Config"`
	ResourceRecordSetCount int64 `xml:"ResourceRecordSetCount"`
}

type listHostedZonesByNameXML struct {
	XMLName          xml.Name        `xml:"ListHostedZonesByNameResponse"`
	Xmlns            string          `xml:"xmlns,attr"`
	HostedZones      []hostedZoneXML `xml:"HostedZones>HostedZone"`
	DNSName          string          `xml:"DNSName,omitempty"`
	HostedZoneID     string          `xml:"HostedZoneId,omitempty"`
	IsTruncated      bool            `xml:"IsTruncated"`
	NextDNSName      string          `xml:"NextDNSName,omitempty"`
	NextHostedZoneID string          `xml:"NextHostedZoneId,omitempty"`
	MaxItems         string          `xml:"MaxItems"`
}
