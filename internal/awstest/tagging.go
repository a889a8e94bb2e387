package awstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/mailform/mailform/internal/awstest/sesdouble"
)

// taggingDouble answers the Resource Groups Tagging API's GetResources for SES
// resources from the SES emulation (moto does not hold them); every other
// request of the service goes to moto. AWS serves the API in two protocols,
// AWS JSON 1.1 (X-Amz-Target) and Smithy RPC v2 CBOR (POST
// /service/ResourceGroupsTaggingAPI_20170126/operation/GetResources), which
// aws-sdk-go-v2 uses since resourcegroupstaggingapi v1.42.0; the double
// serves both.
//
// What it does, from the API reference of GetResources: it returns only tagged
// resources, with all their tags; TagFilters keep a resource that has every
// filter's key with one of its values (any value when none is given);
// ResourcesPerPage is 1 to 100, and a page "can return fewer than this
// maximum, even if there are more results": the double returns at most half of
// the page size asked for, so that a caller must follow PaginationToken;
// ResourceARNList with ResourceTypeFilters, TagFilters or paging parameters is
// an InvalidParameterException.
type taggingDouble struct{ s *Server }

// TaggedSource is what the handler of "ses" offers for the Tagging API:
// *sesdouble.Double does. A test that wraps the SES emulation in its own
// handler passes the method on.
type TaggedSource interface {
	TaggedResources(region string, types []string) []sesdouble.Tagged
}

type getResourcesInput struct {
	ResourceTypeFilters []string
	ResourceARNList     []string
	TagFilters          []struct {
		Key    string
		Values []string
	}
	ResourcesPerPage *int
	TagsPerPage      *int
	PaginationToken  string
}

func (t taggingDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	useCBOR := strings.HasSuffix(r.URL.Path, "/operation/GetResources")
	if !useCBOR && !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetResources") {
		t.s.proxy.ServeHTTP(w, r)
		return
	}
	fail := func(code, message string) { writeTaggingError(w, useCBOR, code, message) }
	body, err := io.ReadAll(r.Body)
	if err != nil {
		fail("InternalServiceException", "reading request: "+err.Error())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in getResourcesInput
	if err := decodeTaggingInput(body, useCBOR, &in); err != nil {
		fail("InvalidParameterException", "malformed request: "+err.Error())
		return
	}
	t.s.mu.Lock()
	src, hasSES := t.s.handlers["ses"].(TaggedSource)
	t.s.mu.Unlock()
	onlySES := hasSES && len(in.ResourceTypeFilters) > 0
	for _, f := range in.ResourceTypeFilters {
		onlySES = onlySES && sesdouble.IsSESResourceType(f)
	}
	if !onlySES {
		t.s.proxy.ServeHTTP(w, r)
		return
	}
	if len(in.ResourceARNList) > 0 {
		fail("InvalidParameterException", "ResourceARNList cannot be specified with ResourceTypeFilters.")
		return
	}
	per := 50
	if in.ResourcesPerPage != nil {
		per = *in.ResourcesPerPage
		if per < 1 || per > 100 {
			fail("InvalidParameterException", fmt.Sprintf("ResourcesPerPage must be between 1 and 100, got %d.", per))
			return
		}
	}
	per = max(1, per/2)
	offset := 0
	if in.PaginationToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.PaginationToken, "ses-page-"))
		if err != nil || n < 0 || !strings.HasPrefix(in.PaginationToken, "ses-page-") {
			fail("PaginationTokenExpiredException", "The pagination token is not valid or has expired.")
			return
		}
		offset = n
	}
	var match []sesdouble.Tagged
	for _, res := range src.TaggedResources(Region(r), in.ResourceTypeFilters) {
		keep := true
		for _, f := range in.TagFilters {
			v, ok := res.Tags[f.Key]
			keep = keep && ok && (len(f.Values) == 0 || slices.Contains(f.Values, v))
		}
		if keep {
			match = append(match, res)
		}
	}
	type tagOut struct{ Key, Value string }
	type mapping struct {
		ResourceARN string
		Tags        []tagOut
	}
	out := struct {
		PaginationToken        string `json:",omitempty"`
		ResourceTagMappingList []mapping
	}{ResourceTagMappingList: []mapping{}}
	end := min(offset+per, len(match))
	for _, res := range match[min(offset, len(match)):end] {
		m := mapping{ResourceARN: res.ARN, Tags: []tagOut{}}
		for _, k := range slices.Sorted(maps.Keys(res.Tags)) {
			m.Tags = append(m.Tags, tagOut{k, res.Tags[k]})
		}
		out.ResourceTagMappingList = append(out.ResourceTagMappingList, m)
	}
	if end < len(match) {
		out.PaginationToken = "ses-page-" + strconv.Itoa(end)
	}
	writeTaggingAnswer(w, useCBOR, http.StatusOK, out)
}

// decodeTaggingInput reads a request body of either protocol into in.
func decodeTaggingInput(body []byte, useCBOR bool, in *getResourcesInput) error {
	if len(body) == 0 {
		return nil
	}
	if useCBOR {
		v, err := cbor.Decode(body)
		if err != nil {
			return err
		}
		if body, err = json.Marshal(fromCBOR(v)); err != nil {
			return err
		}
	}
	return json.Unmarshal(body, in)
}

// fromCBOR turns a decoded CBOR value into the values encoding/json knows.
func fromCBOR(v cbor.Value) any {
	switch v := v.(type) {
	case cbor.Map:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = fromCBOR(e)
		}
		return m
	case cbor.List:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = fromCBOR(e)
		}
		return l
	case cbor.String:
		return string(v)
	case cbor.Uint:
		return uint64(v)
	case cbor.NegInt:
		return -int64(v)
	case cbor.Bool:
		return bool(v)
	case cbor.Float32:
		return float32(v)
	case cbor.Float64:
		return float64(v)
	}
	return nil
}

// toCBOR turns a value made of JSON's types (through a JSON round trip)
// into CBOR.
func toCBOR(v any) cbor.Value {
	switch v := v.(type) {
	case map[string]any:
		m := cbor.Map{}
		for k, e := range v {
			m[k] = toCBOR(e)
		}
		return m
	case []any:
		l := make(cbor.List, len(v))
		for i, e := range v {
			l[i] = toCBOR(e)
		}
		return l
	case string:
		return cbor.String(v)
	case bool:
		return cbor.Bool(v)
	case float64:
		return cbor.Float64(v)
	}
	return &cbor.Nil{}
}

// writeTaggingAnswer writes out (a struct of strings and lists) in the
// request's protocol.
func writeTaggingAnswer(w http.ResponseWriter, useCBOR bool, status int, out any) {
	body, _ := json.Marshal(out)
	if useCBOR {
		var generic any
		_ = json.Unmarshal(body, &generic)
		body = cbor.Encode(toCBOR(generic))
		w.Header().Set("Content-Type", "application/cbor")
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	} else {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeTaggingError answers an error of the Tagging API in the request's
// protocol.
func writeTaggingError(w http.ResponseWriter, useCBOR bool, code, message string) {
	if useCBOR {
		writeCBORError(w, http.StatusBadRequest, code, message)
		return
	}
	w.Header().Set("x-amzn-ErrorType", code)
	writeTaggingAnswer(w, false, http.StatusBadRequest, map[string]string{"__type": code, "Message": message})
}

// writeCBORError writes an error of the Smithy RPC v2 CBOR protocol: a map
// with __type, and the message both as "message" (what the protocol's generic
// error reading takes, smithy-go rpcv2 GetProtocolErrorInfo) and as the
// member "Message" the service's modeled exceptions declare.
func writeCBORError(w http.ResponseWriter, status int, code, message string) {
	writeTaggingAnswer(w, true, status, map[string]string{"__type": code, "message": message, "Message": message})
}
