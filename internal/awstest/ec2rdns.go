package awstest

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ec2Double adds Elastic IP reverse DNS, which moto lacks, in front of
// moto's EC2: Modify/Describe/ResetAddressAttribute with AWS's
// forward-record precondition and PENDING updates, the refusal to
// release an address that has a PTR record, and the refusal to associate
// an address by instance with an instance that has several network
// interfaces.
type ec2Double struct {
	s *Server

	mu   sync.Mutex
	ptrs map[string]*ptrState // region + "/" + allocation id
}

// ptrState is the reverse DNS of one Elastic IP.
type ptrState struct {
	allocationID string
	publicIP     string
	record       string    // the PTR in effect, "name." or ""
	update       string    // the PTR being set ("" with resetting: being removed)
	updating     bool      // an update is PENDING
	until        time.Time // when the update takes effect
}

// settle applies an update whose delay has passed.
func (p *ptrState) settle(now time.Time) {
	if p.updating && !now.Before(p.until) {
		p.record, p.update, p.updating = p.update, "", false
	}
}

func (p *ptrState) empty() bool { return p.record == "" && !p.updating }

func newEC2Double(s *Server) *ec2Double {
	d := &ec2Double{s: s}
	d.reset()
	return d
}

func (d *ec2Double) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ptrs = map[string]*ptrState{}
}

// handles tells whether the double answers op itself (or checks it before
// moto does).
func (d *ec2Double) handles(op string) bool {
	switch op {
	case "ModifyAddressAttribute", "DescribeAddressesAttribute", "ResetAddressAttribute", "ReleaseAddress", "AssociateAddress":
		return true
	}
	return false
}

func (d *ec2Double) serve(w http.ResponseWriter, r *http.Request, c call) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeEC2Error(w, http.StatusBadRequest, "InvalidRequest", "reading the request: "+err.Error())
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeEC2Error(w, http.StatusBadRequest, "InvalidRequest", "parsing the request: "+err.Error())
		return
	}
	region := c.region
	switch c.operation {
	case "ModifyAddressAttribute":
		d.modify(w, r, region, form)
	case "DescribeAddressesAttribute":
		d.describe(w, r, region, form)
	case "ResetAddressAttribute":
		d.resetAttribute(w, r, region, form)
	case "ReleaseAddress":
		d.release(w, withBody(r, body), region, form)
	case "AssociateAddress":
		d.associate(w, withBody(r, body), region, form)
	}
}

// associate refuses, as AWS does, to associate an address by InstanceId
// with an instance that has more than one network interface ("The instance
// must have exactly one attached network interface", AssociateAddress in
// the EC2 API reference); moto does not check. The code and message are
// those AWS users report (NixOS/nixops#951, bobtfish/AWSnycast#28).
// Everything else goes to moto.
func (d *ec2Double) associate(w http.ResponseWriter, r *http.Request, region string, form url.Values) {
	instanceID := form.Get("InstanceId")
	if instanceID == "" || form.Get("NetworkInterfaceId") != "" {
		d.s.proxy.ServeHTTP(w, r)
		return
	}
	client := ec2.NewFromConfig(d.s.motoConfig(region))
	out, err := client.DescribeInstances(r.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{instanceID}})
	if err != nil {
		// An unknown instance and the like: moto answers for them.
		d.s.proxy.ServeHTTP(w, r)
		return
	}
	for _, res := range out.Reservations {
		for _, inst := range res.Instances {
			if aws.ToString(inst.InstanceId) == instanceID && len(inst.NetworkInterfaces) > 1 {
				writeEC2Error(w, http.StatusBadRequest, "InvalidInstanceID",
					fmt.Sprintf("There are multiple interfaces attached to instance '%s'. Please specify an interface ID for the operation instead.", instanceID))
				return
			}
		}
	}
	d.s.proxy.ServeHTTP(w, r)
}

// address looks an Elastic IP up in moto.
func (d *ec2Double) address(r *http.Request, region, allocationID string) (publicIP string, found bool, err error) {
	client := ec2.NewFromConfig(d.s.motoConfig(region))
	out, err := client.DescribeAddresses(r.Context(), &ec2.DescribeAddressesInput{
		Filters: []ec2types.Filter{{Name: aws.String("allocation-id"), Values: []string{allocationID}}},
	})
	if err != nil {
		return "", false, fmt.Errorf("reading addresses from moto: %w", err)
	}
	for _, a := range out.Addresses {
		if aws.ToString(a.AllocationId) == allocationID {
			return aws.ToString(a.PublicIp), true, nil
		}
	}
	return "", false, nil
}

func notFound(w http.ResponseWriter, allocationID string) {
	writeEC2Error(w, http.StatusBadRequest, "InvalidAllocationID.NotFound",
		fmt.Sprintf("The allocation ID '%s' does not exist", allocationID))
}

func (d *ec2Double) modify(w http.ResponseWriter, r *http.Request, region string, form url.Values) {
	allocationID := form.Get("AllocationId")
	domain := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(form.Get("DomainName"))), ".")
	if allocationID == "" {
		writeEC2Error(w, http.StatusBadRequest, "MissingParameter", "The request must contain the parameter AllocationId")
		return
	}
	if domain == "" {
		writeEC2Error(w, http.StatusBadRequest, "InvalidParameterValue", "The domain name must not be empty; use ResetAddressAttribute to remove a PTR record")
		return
	}
	ip, found, err := d.address(r, region, allocationID)
	if err != nil {
		writeEC2Error(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	if !found {
		notFound(w, allocationID)
		return
	}
	// AWS sets a PTR only for a name whose forward (A) record already
	// resolves to the address (EC2 user guide, "Using reverse DNS for email
	// applications"). The API reference documents neither the error code
	// nor the wording of the refusal: the double answers EC2's generic
	// InvalidParameterValue with its generic wording, which names no
	// record, so that a client cannot rely on words AWS never promised.
	values, err := d.s.LookupRecords(r.Context(), domain, "A")
	if err != nil {
		writeEC2Error(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	if !slices.Contains(values, ip) {
		writeEC2Error(w, http.StatusBadRequest, "InvalidParameterValue",
			fmt.Sprintf("Value (%s) for parameter domainName is invalid.", domain))
		return
	}
	now := d.s.clock()
	d.mu.Lock()
	p := d.state(region, allocationID, ip, now)
	p.update, p.updating, p.until = domain+".", true, now.Add(d.s.delay(func(o Options) time.Duration { return o.PTRDelay }))
	answer := *p
	d.mu.Unlock()
	writeAddressAttribute(w, "ModifyAddressAttributeResponse", answer)
}

// state returns (creating) the PTR state of an address, settled at now.
// d.mu must be held.
func (d *ec2Double) state(region, allocationID, ip string, now time.Time) *ptrState {
	k := region + "/" + allocationID
	p := d.ptrs[k]
	if p == nil {
		p = &ptrState{allocationID: allocationID, publicIP: ip}
		d.ptrs[k] = p
	}
	p.settle(now)
	return p
}

func (d *ec2Double) resetAttribute(w http.ResponseWriter, r *http.Request, region string, form url.Values) {
	allocationID := form.Get("AllocationId")
	if attr := form.Get("Attribute"); attr != "domain-name" {
		writeEC2Error(w, http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("Value (%s) for parameter attribute is invalid. Expected: 'domain-name'.", attr))
		return
	}
	ip, found, err := d.address(r, region, allocationID)
	if err != nil {
		writeEC2Error(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	if !found {
		notFound(w, allocationID)
		return
	}
	now := d.s.clock()
	d.mu.Lock()
	p := d.state(region, allocationID, ip, now)
	if !p.empty() {
		p.update, p.updating, p.until = "", true, now.Add(d.s.delay(func(o Options) time.Duration { return o.PTRDelay }))
	}
	answer := *p
	if p.empty() {
		delete(d.ptrs, region+"/"+allocationID)
	}
	d.mu.Unlock()
	writeAddressAttribute(w, "ResetAddressAttributeResponse", answer)
}

func (d *ec2Double) describe(w http.ResponseWriter, r *http.Request, region string, form url.Values) {
	if attr := form.Get("Attribute"); attr != "domain-name" {
		writeEC2Error(w, http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("Value (%s) for parameter attribute is invalid. Expected: 'domain-name'.", attr))
		return
	}
	var ids []string
	for k, v := range form {
		if strings.HasPrefix(k, "AllocationId.") && len(v) > 0 {
			n, _ := strconv.Atoi(strings.TrimPrefix(k, "AllocationId."))
			ids = append(ids, fmt.Sprintf("%09d\x00%s", n, v[0]))
		}
	}
	sort.Strings(ids)
	for i, id := range ids {
		ids[i] = id[strings.IndexByte(id, 0)+1:]
	}
	for _, id := range ids {
		_, found, err := d.address(r, region, id)
		if err != nil {
			writeEC2Error(w, http.StatusInternalServerError, "InternalError", err.Error())
			return
		}
		if !found {
			notFound(w, id)
			return
		}
	}
	now := d.s.clock()
	d.mu.Lock()
	var items []ptrState
	for _, k := range slices.Sorted(maps.Keys(d.ptrs)) {
		p := d.ptrs[k]
		if !strings.HasPrefix(k, region+"/") {
			continue
		}
		p.settle(now)
		if p.empty() {
			delete(d.ptrs, k)
			continue
		}
		if len(ids) == 0 || slices.Contains(ids, p.allocationID) {
			items = append(items, *p)
		}
	}
	d.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<DescribeAddressesAttributeResponse xmlns="%s"><requestId>%s</requestId><addressSet>`, ec2Namespace, requestID())
	for _, p := range items {
		fmt.Fprintf(w, "<item>%s</item>", addressAttributeXML(p))
	}
	fmt.Fprint(w, `</addressSet></DescribeAddressesAttributeResponse>`)
}

func (d *ec2Double) release(w http.ResponseWriter, r *http.Request, region string, form url.Values) {
	allocationID := form.Get("AllocationId")
	publicIP := form.Get("PublicIp")
	now := d.s.clock()
	d.mu.Lock()
	var held *ptrState
	for _, k := range slices.Sorted(maps.Keys(d.ptrs)) {
		p := d.ptrs[k]
		if !strings.HasPrefix(k, region+"/") {
			continue
		}
		if (allocationID != "" && p.allocationID == allocationID) || (allocationID == "" && publicIP != "" && p.publicIP == publicIP) {
			p.settle(now)
			if !p.empty() {
				held = p
			}
		}
	}
	d.mu.Unlock()
	if held != nil {
		// AWS's answer, as reported by users of ReleaseAddress
		// (cloud-custodian/cloud-custodian#8924).
		writeEC2Error(w, http.StatusBadRequest, "InvalidAddress.PtrSet",
			fmt.Sprintf("The address with allocation id [%s] cannot be released because it has a PTR record set.", held.allocationID))
		return
	}
	d.s.proxy.ServeHTTP(w, r)
}

// writeAddressAttribute writes a Modify/ResetAddressAttribute answer.
func writeAddressAttribute(w http.ResponseWriter, root string, p ptrState) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<%s xmlns="%s"><requestId>%s</requestId><address>%s</address></%s>`,
		root, ec2Namespace, requestID(), addressAttributeXML(p), root)
}

// addressAttributeXML renders an AddressAttribute in EC2's wire form.
func addressAttributeXML(p ptrState) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<publicIp>%s</publicIp><allocationId>%s</allocationId>", xmlEscape(p.publicIP), xmlEscape(p.allocationID))
	if p.record != "" {
		fmt.Fprintf(&b, "<ptrRecord>%s</ptrRecord>", xmlEscape(p.record))
	}
	if p.updating {
		fmt.Fprintf(&b, "<ptrRecordUpdate><value>%s</value><status>PENDING</status></ptrRecordUpdate>", xmlEscape(p.update))
	}
	return b.String()
}
