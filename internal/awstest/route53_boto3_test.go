package awstest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// boto3ChangeScript creates a zone and a TXT set with boto3, then submits a
// batch Route 53 refuses twice over, and prints the error as botocore parsed
// it (the AWS CLI parses with botocore too).
const boto3ChangeScript = `
import json, sys, time
import boto3, botocore.exceptions
c = boto3.client("route53", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="double-secret")
zone = c.create_hosted_zone(Name="boto.example", CallerReference="boto3-%f" % time.time())["HostedZone"]["Id"]
def change(action, name, value):
    return {"Action": action, "ResourceRecordSet": {"Name": name, "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": value}]}}
c.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [change("CREATE", "txt.boto.example", '"one"')]})
try:
    c.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        change("DELETE", "nothing.boto.example", '"x"'),
        change("CREATE", "txt.boto.example", '"y"'),
    ]})
    print(json.dumps({"accepted": True}))
except botocore.exceptions.ClientError as e:
    print(json.dumps({"code": e.response["Error"].get("Code", ""), "message": e.response["Error"].get("Message", ""),
                      "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}))
`

// TestInvalidChangeBatchAsBoto3SeesIt: boto3 (and so the AWS CLI) sees the
// code and every message of a refused batch.
func TestInvalidChangeBatchAsBoto3SeesIt(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("python3 with boto3 is not installed")
	}
	s := Shared(t)
	out, err := exec.CommandContext(t.Context(), "python3", "-c", boto3ChangeScript, s.URL()).CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	var got struct {
		Accepted bool
		Code     string
		Message  string
		Status   int
	}
	if err := json.Unmarshal(out[strings.LastIndex(strings.TrimSpace(string(out)), "\n")+1:], &got); err != nil {
		t.Fatalf("boto3 printed %q: %v", out, err)
	}
	want := "[Tried to delete resource record set [name='nothing.boto.example.', type='TXT'] but it was not found, " +
		"Tried to create resource record set [name='txt.boto.example.', type='TXT'] but it already exists]"
	if got.Accepted || got.Code != "InvalidChangeBatch" || got.Message != want || got.Status != 400 {
		t.Errorf("boto3 saw %+v, want code InvalidChangeBatch, status 400, message %q", got, want)
	}
}
