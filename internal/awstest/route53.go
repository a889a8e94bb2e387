package awstest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/mailform/mailform/internal/dnsvalue"
)

// route53Double makes Route 53 as strict as AWS where moto is lenient:
// change batches are validated whole before moto applies them, changes go
// PENDING then INSYNC, caller references are unique.
type route53Double struct {
	s *Server

	mu         sync.Mutex // serialises validation and application of changes
	changes    map[string]route53Change
	lastChange map[string]string // zone id -> id of its latest change
	callerRefs map[string]bool
	nextID     uint64
}

// route53Change is one change Route 53 is propagating.
type route53Change struct {
	zoneID    string
	submitted time.Time
}

func newRoute53Double(s *Server) *route53Double {
	d := &route53Double{s: s}
	d.reset()
	return d
}

func (d *route53Double) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.changes = map[string]route53Change{}
	d.lastChange = map[string]string{}
	d.callerRefs = map[string]bool{}
}

// serve answers one Route 53 call.
func (d *route53Double) serve(w http.ResponseWriter, r *http.Request, c call) {
	switch c.operation {
	case "ChangeResourceRecordSets":
		d.changeRecordSets(w, r)
	case "GetChange":
		d.getChange(w, r)
	case "CreateHostedZone":
		d.createHostedZone(w, r)
	case "DeleteHostedZone":
		d.mu.Lock()
		defer d.mu.Unlock()
		zoneID := pathSegment(r.URL.Path, "hostedzone")
		if d.forwardWithChange(w, r, nil, zoneID) != "" {
			d.s.r53State.removeZone(zoneID)
		}
	case "ListHostedZonesByName":
		d.listHostedZonesByName(w, r)
	case "ListResourceRecordSets":
		// Route 53 returns at most 300 record sets per page, whatever
		// MaxItems asks (ListResourceRecordSets API reference); moto does not cap.
		q := r.URL.Query()
		if n, err := strconv.Atoi(q.Get("maxitems")); err == nil && n > maxRecordSetsPerPage {
			q.Set("maxitems", strconv.Itoa(maxRecordSetsPerPage))
			r.URL.RawQuery = q.Encode()
		}
		var rec bufferedResponse
		d.s.proxy.ServeHTTP(&rec, r)
		rec.copyTo(w, fixMotoValues(rec.body.Bytes()))
	default:
		d.s.proxy.ServeHTTP(w, r)
		if c.mutating {
			// Comments, tags, VPC associations...: the zone list may differ.
			d.s.r53State.forgetZones()
		}
	}
}

// pathSegment returns the segment after key in a URL path.
func pathSegment(path, key string) string {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	for i := 0; i+1 < len(seg); i++ {
		if seg[i] == key {
			return seg[i+1]
		}
	}
	return ""
}

// changeRequest is the body of ChangeResourceRecordSets.
type changeRequest struct {
	Changes []struct {
		Action string          `xml:"Action"`
		Set    changeRecordSet `xml:"ResourceRecordSet"`
	} `xml:"ChangeBatch>Changes>Change"`
}

type changeRecordSet struct {
	Name          string   `xml:"Name"`
	Type          string   `xml:"Type"`
	SetIdentifier string   `xml:"SetIdentifier"`
	TTL           *int64   `xml:"TTL"`
	Values        []string `xml:"ResourceRecords>ResourceRecord>Value"`
	Alias         *struct {
		HostedZoneID string `xml:"HostedZoneId"`
		DNSName      string `xml:"DNSName"`
	} `xml:"AliasTarget"`
}

func (cs changeRecordSet) recordSet() recordSet {
	out := recordSet{
		Name:          dnsvalue.Name(cs.Name),
		StoredName:    cs.Name,
		Type:          strings.ToUpper(cs.Type),
		SetIdentifier: cs.SetIdentifier,
		TTL:           aws.ToInt64(cs.TTL),
		Values:        cs.Values,
	}
	if cs.Alias != nil {
		out.AliasZoneID = cs.Alias.HostedZoneID
		out.AliasDNSName = dnsvalue.Name(cs.Alias.DNSName)
	}
	return out
}

// Route 53's limits on one change batch (Route 53 developer guide,
// DNSLimitations): UPSERT counts twice toward both.
const (
	maxBatchRecords    = 1000
	maxBatchValueChars = 32000
	maxValueChars      = 4000
	maxTXTStringBytes  = 255

	maxRecordSetsPerPage = 300
)

func (d *route53Double) changeRecordSets(w http.ResponseWriter, r *http.Request) {
	zoneID := pathSegment(r.URL.Path, "hostedzone")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", "reading the request: "+err.Error())
		return
	}
	var req changeRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", "parsing the change batch: "+err.Error())
		return
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.lastChange[zoneID]; ok && d.processing(d.changes[id]) {
		writeRoute53Error(w, http.StatusBadRequest, "PriorRequestNotComplete",
			"The request was rejected because Route 53 was still processing a prior request.")
		return
	}
	zone, err := d.s.zoneByID(r.Context(), zoneID)
	if err != nil || zone == nil {
		// Unknown zone and the like: moto answers as AWS does.
		d.s.proxy.ServeHTTP(w, withBody(r, body))
		return
	}
	current, err := d.s.zoneRecords(r.Context(), zoneID)
	if err != nil {
		writeRoute53Error(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	msgs, final := validateChangeBatch(zone.Name, current, req)
	if len(msgs) > 0 {
		writeInvalidChangeBatch(w, msgs)
		return
	}
	moto, err := bodyForMoto(body, current)
	if err != nil {
		writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", "parsing the change batch: "+err.Error())
		return
	}
	if id := d.forwardWithChange(w, r, moto, zoneID); id != "" {
		d.lastChange[zoneID] = id
		d.s.r53State.setRecords(zoneID, final)
	} else {
		// moto refused what the double accepted: read the zone again.
		d.s.r53State.forgetRecords(zoneID)
	}
}

// xmlNode is any XML element, for rewriting a request without losing the
// parts the double does not read.
type xmlNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []xmlNode  `xml:",any"`
}

// bodyForMoto rewrites a validated batch so that moto, which compares
// names and values as text, finds the sets AWS would: DELETE and UPSERT
// name an existing set as moto stores it (AWS matches names
// case-insensitively), and a DELETE lists its values in moto's order (AWS
// matches them as a set).
func bodyForMoto(body []byte, current []recordSet) ([]byte, error) {
	var root xmlNode
	if err := xml.Unmarshal(body, &root); err != nil {
		return nil, err
	}
	stored := map[string]recordSet{}
	for _, set := range current {
		stored[set.Name+"|"+set.Type+"|"+set.SetIdentifier] = set
	}
	changes := root.child("ChangeBatch").child("Changes")
	if changes != nil {
		for i := range changes.Nodes {
			ch := &changes.Nodes[i]
			action := strings.ToUpper(ch.child("Action").text())
			if action != "DELETE" && action != "UPSERT" {
				continue
			}
			rs := ch.child("ResourceRecordSet")
			name, typ := rs.child("Name"), rs.child("Type")
			if name == nil || typ == nil {
				continue
			}
			set, ok := stored[dnsvalue.Name(name.text())+"|"+strings.ToUpper(typ.text())+"|"+rs.child("SetIdentifier").text()]
			if !ok {
				continue
			}
			name.Text = set.StoredName
			if action != "DELETE" {
				continue
			}
			if rrs := rs.child("ResourceRecords"); rrs != nil && len(rrs.Nodes) == len(set.Values) {
				for j := range rrs.Nodes {
					if v := rrs.Nodes[j].child("Value"); v != nil {
						v.Text = set.Values[j]
					}
				}
			}
		}
	}
	root.stripNamespaces()
	root.XMLName.Space = ""
	root.Attrs = []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: route53Namespace}}
	return xml.Marshal(root)
}

func (n *xmlNode) child(local string) *xmlNode {
	if n == nil {
		return nil
	}
	for i := range n.Nodes {
		if n.Nodes[i].XMLName.Local == local {
			return &n.Nodes[i]
		}
	}
	return nil
}

func (n *xmlNode) text() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.Text)
}

// stripNamespaces leaves the namespace on the root element only.
func (n *xmlNode) stripNamespaces() {
	for i := range n.Nodes {
		n.Nodes[i].XMLName.Space = ""
		n.Nodes[i].Attrs = nil
		n.Nodes[i].stripNamespaces()
	}
}

// validateChangeBatch checks a whole batch against the zone's current
// record sets, as AWS does before applying any of it, and returns every
// problem in AWS's words, and the zone's record sets once the batch is
// applied.
func validateChangeBatch(zone string, current []recordSet, req changeRequest) ([]string, []recordSet) {
	type key struct{ name, typ, id string }
	state := map[key]recordSet{}
	var order []key
	// The types of the sets at each name (with how many sets of each), so
	// that a batch is checked in time proportional to its own size.
	typesByName := map[string]map[string]int{}
	put := func(k key, set recordSet) {
		if _, ok := state[k]; !ok {
			if typesByName[k.name] == nil {
				typesByName[k.name] = map[string]int{}
			}
			typesByName[k.name][k.typ]++
		}
		state[k] = set
	}
	remove := func(k key) {
		if _, ok := state[k]; ok {
			if typesByName[k.name][k.typ]--; typesByName[k.name][k.typ] == 0 {
				delete(typesByName[k.name], k.typ)
			}
		}
		delete(state, k)
	}
	typesAt := func(name string) []string {
		var out []string
		for t := range typesByName[name] {
			out = append(out, t)
		}
		return out
	}
	for _, set := range current {
		k := key{set.Name, set.Type, set.SetIdentifier}
		put(k, set)
		order = append(order, k)
	}
	var msgs []string
	records, chars := 0, 0
	for _, ch := range req.Changes {
		set := ch.Set.recordSet()
		action := strings.ToUpper(ch.Action)
		weight := 1
		if action == "UPSERT" {
			weight = 2
		}
		records += weight * len(set.Values)
		for _, v := range set.Values {
			chars += weight * len(v)
		}
		desc := fmt.Sprintf("[name='%s', type='%s'", set.Name, set.Type)
		if set.SetIdentifier != "" {
			desc += fmt.Sprintf(", set-identifier='%s'", set.SetIdentifier)
		}
		desc += "]"

		if !inZone(set.Name, zone) {
			msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s is not permitted in zone %s", set.Name, zone))
			continue
		}
		if action != "DELETE" {
			if m := checkValues(set); m != "" {
				msgs = append(msgs, m)
				continue
			}
		}
		k := key{set.Name, set.Type, set.SetIdentifier}
		existing, exists := state[k]
		switch action {
		case "CREATE", "UPSERT":
			if action == "CREATE" && exists {
				msgs = append(msgs, "Tried to create resource record set "+desc+" but it already exists")
				continue
			}
			others := slices.DeleteFunc(typesAt(set.Name), func(t string) bool { return t == set.Type })
			if set.Type == "CNAME" && len(others) > 0 {
				msgs = append(msgs, fmt.Sprintf("RRSet of type CNAME with DNS name %s is not permitted as it conflicts with other records with the same DNS name in zone %s", set.Name, zone))
				continue
			}
			if set.Type != "CNAME" && slices.Contains(others, "CNAME") {
				msgs = append(msgs, fmt.Sprintf("RRSet of type %s with DNS name %s is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone %s", set.Type, set.Name, zone))
				continue
			}
			if exists {
				set.StoredName = existing.StoredName // moto keeps the set's name
			} else {
				order = append(order, k)
			}
			put(k, set)
		case "DELETE":
			if !exists {
				msgs = append(msgs, "Tried to delete resource record set "+desc+" but it was not found")
				continue
			}
			if !sameRecordSet(existing, set) {
				msgs = append(msgs, "Tried to delete resource record set "+desc+" but the values provided do not match the current values")
				continue
			}
			remove(k)
		default:
			msgs = append(msgs, fmt.Sprintf("Invalid action %q for resource record set %s", ch.Action, desc))
		}
	}
	if records > maxBatchRecords {
		msgs = append(msgs, fmt.Sprintf("Number of records limit of %d exceeded.", maxBatchRecords))
	}
	if chars > maxBatchValueChars {
		msgs = append(msgs, fmt.Sprintf("RDATA character limit of %d exceeded.", maxBatchValueChars))
	}
	var final []recordSet
	seen := map[key]bool{}
	for _, k := range order {
		if set, ok := state[k]; ok && !seen[k] {
			final = append(final, set)
			seen[k] = true
		}
	}
	return msgs, final
}

// checkValues checks the values of a record set to be written: each at
// most 4000 characters, TXT/SPF character-strings at most 255 bytes.
func checkValues(set recordSet) string {
	for _, v := range set.Values {
		if len(v) > maxValueChars {
			return fmt.Sprintf("Invalid Resource Record: 'FATAL problem: ValueTooLong (Value is longer than %d characters) encountered with '%s''", maxValueChars, v)
		}
		if set.Type != "TXT" && set.Type != "SPF" {
			continue
		}
		// AWS's words for both (redhat-cop/infra-ansible#376, boto/boto3#1462,
		// virtualmin/virtualmin-gpl#355).
		if !allQuoted(v) {
			return fmt.Sprintf("Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '%s''", v)
		}
		for _, str := range dnsvalue.TXTStrings(v) {
			if len(str) > maxTXTStringBytes {
				return fmt.Sprintf("Invalid Resource Record: 'FATAL problem: CharacterStringTooLong (Value is too long) encountered with '%s''", v)
			}
		}
	}
	return ""
}

// allQuoted tells whether a TXT value is one or more complete quoted
// strings separated by blanks, as Route 53 requires.
func allQuoted(v string) bool {
	inside, any := false, false
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; {
		case inside && ch == '\\':
			i++
		case ch == '"':
			inside = !inside
			any = true
		case !inside && ch != ' ' && ch != '\t':
			return false
		}
	}
	return any && !inside
}

// sameRecordSet tells whether a DELETE names the current set exactly:
// TTL, every value (in any order) or the same alias target.
func sameRecordSet(current, del recordSet) bool {
	if current.AliasDNSName != "" || del.AliasDNSName != "" {
		return current.AliasDNSName == del.AliasDNSName && strings.EqualFold(current.AliasZoneID, del.AliasZoneID)
	}
	if current.TTL != del.TTL || len(current.Values) != len(del.Values) {
		return false
	}
	a, b := slices.Clone(current.Values), slices.Clone(del.Values)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// withBody gives r a fresh copy of body.
func withBody(r *http.Request, body []byte) *http.Request {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return r
}

var (
	changeInfoPattern = regexp.MustCompile(`(?s)<ChangeInfo>.*?</ChangeInfo>`)
	changeIDPattern   = regexp.MustCompile(`<Id>[^<]*</Id>`)
	changeStatus      = regexp.MustCompile(`<Status>[^<]*</Status>`)
	zoneIDPattern     = regexp.MustCompile(`<HostedZone>\s*<Id>(?:/hostedzone/)?([^<]+)</Id>`)
)

// forwardWithChange sends the call to moto and, when it succeeds, gives
// the answer's ChangeInfo a unique id and the PENDING status, and records
// the change; it returns the change's id ("" when moto refused). body nil
// means r's body as it is. d.mu must be held.
func (d *route53Double) forwardWithChange(w http.ResponseWriter, r *http.Request, body []byte, zoneID string) string {
	if body != nil {
		r = withBody(r, body)
	}
	var rec bufferedResponse
	d.s.proxy.ServeHTTP(&rec, r)
	if rec.status >= 300 || !changeInfoPattern.Match(rec.body.Bytes()) {
		rec.copyTo(w, nil)
		return ""
	}
	if zoneID == "" {
		if m := zoneIDPattern.FindSubmatch(rec.body.Bytes()); m != nil {
			zoneID = string(m[1])
		}
	}
	now := d.s.clock()
	d.nextID++
	id := fmt.Sprintf("C%013d", d.nextID)
	d.changes[id] = route53Change{zoneID: zoneID, submitted: now}
	status := d.status(d.changes[id])
	out := changeInfoPattern.ReplaceAllFunc(rec.body.Bytes(), func(info []byte) []byte {
		info = changeIDPattern.ReplaceAll(info, []byte("<Id>/change/"+id+"</Id>"))
		return changeStatus.ReplaceAll(info, []byte("<Status>"+status+"</Status>"))
	})
	rec.copyTo(w, out)
	return id
}

// processing tells whether Route 53 is still processing the request that
// made a change (ChangeProcessing), refusing the zone's next one.
func (d *route53Double) processing(ch route53Change) bool {
	return d.s.clock().Before(ch.submitted.Add(d.s.delay(func(o Options) time.Duration { return o.ChangeProcessing })))
}

// pending tells whether a change is still propagating.
func (d *route53Double) pending(ch route53Change) bool {
	return d.s.clock().Before(ch.submitted.Add(d.s.delay(func(o Options) time.Duration { return o.ChangeDelay })))
}

func (d *route53Double) status(ch route53Change) string {
	if d.pending(ch) {
		return "PENDING"
	}
	return "INSYNC"
}

func (d *route53Double) getChange(w http.ResponseWriter, r *http.Request) {
	id := pathSegment(r.URL.Path, "change")
	d.mu.Lock()
	ch, ok := d.changes[id]
	var status string
	if ok {
		status = d.status(ch)
	}
	d.mu.Unlock()
	if !ok {
		writeRoute53Error(w, http.StatusNotFound, "NoSuchChange", "A change with the specified change ID does not exist.")
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<GetChangeResponse xmlns="%s"><ChangeInfo><Id>/change/%s</Id><Status>%s</Status><SubmittedAt>%s</SubmittedAt></ChangeInfo></GetChangeResponse>`,
		route53Namespace, id, status, ch.submitted.UTC().Format(time.RFC3339))
}

// createHostedZoneResponse is the part of CreateHostedZone's answer the
// double reads.
type createHostedZoneResponse struct {
	ID      string `xml:"HostedZone>Id"`
	Name    string `xml:"HostedZone>Name"`
	Private bool   `xml:"HostedZone>Config>PrivateZone"`
}

// createHostedZoneRequest is the part of CreateHostedZone the double reads.
type createHostedZoneRequest struct {
	CallerReference string `xml:"CallerReference"`
}

func (d *route53Double) createHostedZone(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", "reading the request: "+err.Error())
		return
	}
	var req createHostedZoneRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		writeRoute53Error(w, http.StatusBadRequest, "InvalidInput", "parsing the request: "+err.Error())
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.callerRefs[req.CallerReference] {
		writeRoute53Error(w, http.StatusConflict, "HostedZoneAlreadyExists",
			"A hosted zone has already been created with the specified caller reference.")
		return
	}
	var rec bufferedResponse
	_ = d.forwardWithChange(&rec, withBody(r, body), nil, "")
	if rec.status < 300 {
		d.callerRefs[req.CallerReference] = true
		var created createHostedZoneResponse
		if err := xml.Unmarshal(rec.body.Bytes(), &created); err == nil && created.ID != "" {
			d.s.r53State.addZone(zoneState{
				ID:      strings.TrimPrefix(created.ID, "/hostedzone/"),
				Name:    dnsvalue.Name(created.Name),
				Private: created.Private,
			})
		} else {
			d.s.r53State.forgetZones()
		}
	}
	rec.copyTo(w, nil)
}
