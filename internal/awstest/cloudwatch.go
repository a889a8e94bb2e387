package awstest

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// CloudWatch alarms are moto's, with what AWS documents and moto does not
// (docs/sandbox.md, "CloudWatch"):
//
//   - PutMetricAlarm: a new alarm starts in INSUFFICIENT_DATA; an update
//     leaves the state as it was and ignores the Tags parameter (moto resets
//     the state to OK and applies the tags).
//   - DescribeAlarms: pages of MaxRecords (1 to 100; 50 when absent), with
//     a NextToken (moto returns every alarm at once).
//   - PutMetricData: a namespace that begins with "AWS/" is refused
//     (InvalidParameterValue): those are the services' own metrics, which
//     only the services publish (Server.PublishSESReputation does it for
//     SES). Others go to moto.
//
// cloudWatchServes tells whether the double answers the operation itself.
func cloudWatchServes(op string) bool {
	return op == "PutMetricAlarm" || op == "DescribeAlarms" || op == "PutMetricData"
}

// DescribeAlarmsPageSize is the page DescribeAlarms returns when the caller
// sets no MaxRecords; AWS's maximum is 100.
const DescribeAlarmsPageSize = 50

func (s *Server) serveCloudWatch(w http.ResponseWriter, r *http.Request, c call) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeAWSError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeAWSError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	switch c.operation {
	case "PutMetricAlarm":
		s.putMetricAlarm(w, r, c, form)
	case "DescribeAlarms":
		s.describeAlarms(w, r, form)
	case "PutMetricData":
		s.putMetricData(w, r, form)
	}
}

func (s *Server) putMetricAlarm(w http.ResponseWriter, r *http.Request, c call, form url.Values) {
	moto := cloudwatch.NewFromConfig(s.motoConfig(c.region))
	name := form.Get("AlarmName")
	before, err := moto.DescribeAlarms(r.Context(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		writeAWSError(w, http.StatusInternalServerError, "InternalFailure", "the double could not read the alarm: "+err.Error())
		return
	}
	var old *cwtypes.MetricAlarm
	if len(before.MetricAlarms) == 1 {
		old = &before.MetricAlarms[0]
	}
	var oldTags []cwtypes.Tag
	if old != nil {
		t, err := moto.ListTagsForResource(r.Context(), &cloudwatch.ListTagsForResourceInput{ResourceARN: old.AlarmArn})
		if err != nil {
			writeAWSError(w, http.StatusInternalServerError, "InternalFailure", "the double could not read the alarm's tags: "+err.Error())
			return
		}
		oldTags = t.Tags
	}
	buf := &bufferedResponse{}
	s.proxy.ServeHTTP(buf, r)
	if buf.status != http.StatusOK {
		buf.copyTo(w, nil)
		return
	}
	state, reason := cwtypes.StateValueInsufficientData, "Unchecked: Initial alarm creation"
	if old != nil {
		state, reason = old.StateValue, aws.ToString(old.StateReason)
		// Tags of an update are ignored: put the old ones back.
		if err := s.restoreTags(r, moto, aws.ToString(old.AlarmArn), oldTags); err != nil {
			writeAWSError(w, http.StatusInternalServerError, "InternalFailure", err.Error())
			return
		}
	}
	if _, err := moto.SetAlarmState(r.Context(), &cloudwatch.SetAlarmStateInput{
		AlarmName: aws.String(name), StateValue: state, StateReason: aws.String(reason),
	}); err != nil {
		writeAWSError(w, http.StatusInternalServerError, "InternalFailure", "the double could not set the alarm state: "+err.Error())
		return
	}
	buf.copyTo(w, nil)
}

// restoreTags makes the alarm's tags exactly old.
func (s *Server) restoreTags(r *http.Request, moto *cloudwatch.Client, arn string, old []cwtypes.Tag) error {
	now, err := moto.ListTagsForResource(r.Context(), &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return fmt.Errorf("the double could not read the alarm's tags: %w", err)
	}
	keep := map[string]string{}
	for _, t := range old {
		keep[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	var drop []string
	for _, t := range now.Tags {
		if _, ok := keep[aws.ToString(t.Key)]; !ok {
			drop = append(drop, aws.ToString(t.Key))
		}
	}
	if len(drop) > 0 {
		if _, err := moto.UntagResource(r.Context(), &cloudwatch.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: drop}); err != nil {
			return fmt.Errorf("the double could not untag the alarm: %w", err)
		}
	}
	if len(old) > 0 {
		if _, err := moto.TagResource(r.Context(), &cloudwatch.TagResourceInput{ResourceARN: aws.String(arn), Tags: old}); err != nil {
			return fmt.Errorf("the double could not tag the alarm: %w", err)
		}
	}
	return nil
}

// describeAlarms asks moto for every matching alarm and returns one page of
// them, in name order, cutting moto's XML answer.
func (s *Server) describeAlarms(w http.ResponseWriter, r *http.Request, form url.Values) {
	size := DescribeAlarmsPageSize
	if v := form.Get("MaxRecords"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeAWSError(w, http.StatusBadRequest, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100", v))
			return
		}
		size = n
	}
	after := ""
	if tok := form.Get("NextToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b) == 0 {
			writeAWSError(w, http.StatusBadRequest, "InvalidNextToken", "The service returned an error with HTTP Body: Invalid NextToken")
			return
		}
		after = string(b)
	}
	buf := &bufferedResponse{}
	s.proxy.ServeHTTP(buf, r)
	if buf.status != http.StatusOK {
		buf.copyTo(w, nil)
		return
	}
	out, err := pageAlarms(buf.body.Bytes(), after, size)
	if err != nil {
		writeAWSError(w, http.StatusInternalServerError, "InternalFailure", "the double could not page moto's alarms: "+err.Error())
		return
	}
	buf.copyTo(w, out)
}

// pageAlarms keeps, of the MetricAlarms of a DescribeAlarms answer, the
// first size whose name sorts after after, and adds a NextToken when more
// are left. Composite alarms are left as they are.
func pageAlarms(doc []byte, after string, size int) ([]byte, error) {
	type member struct {
		name       string
		start, end int64
	}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var path []string
	var members []member
	var listStart, listEnd int64 = -1, -1
	var cur *member
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			p := strings.Join(path, "/")
			switch {
			case strings.HasSuffix(p, "DescribeAlarmsResult/MetricAlarms") && listStart < 0:
				listStart = dec.InputOffset()
			case strings.HasSuffix(p, "DescribeAlarmsResult/MetricAlarms/member"):
				cur = &member{start: before}
			}
		case xml.EndElement:
			p := strings.Join(path, "/")
			switch {
			case strings.HasSuffix(p, "DescribeAlarmsResult/MetricAlarms/member") && cur != nil:
				cur.end = dec.InputOffset()
				members = append(members, *cur)
				cur = nil
			case strings.HasSuffix(p, "DescribeAlarmsResult/MetricAlarms"):
				listEnd = before
			}
			path = path[:len(path)-1]
		case xml.CharData:
			if cur != nil && strings.HasSuffix(strings.Join(path, "/"), "MetricAlarms/member/AlarmName") {
				cur.name += string(t)
			}
		}
	}
	if listStart < 0 || listEnd < 0 {
		return doc, nil // no MetricAlarms list: nothing to page
	}
	sort.SliceStable(members, func(i, j int) bool { return members[i].name < members[j].name })
	var page []member
	more := false
	for _, m := range members {
		if after != "" && m.name <= after {
			continue
		}
		if len(page) == size {
			more = true
			break
		}
		page = append(page, m)
	}
	var b bytes.Buffer
	b.Write(doc[:listStart])
	for _, m := range page {
		b.Write(doc[m.start:m.end])
	}
	rest := doc[listEnd:]
	if more {
		token := "<NextToken>" + base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1].name)) + "</NextToken>"
		i := bytes.Index(rest, []byte("</DescribeAlarmsResult>"))
		if i < 0 {
			return nil, fmt.Errorf("no DescribeAlarmsResult end in moto's answer")
		}
		b.Write(rest[:i])
		b.WriteString(token)
		b.Write(rest[i:])
	} else {
		b.Write(rest)
	}
	return b.Bytes(), nil
}
