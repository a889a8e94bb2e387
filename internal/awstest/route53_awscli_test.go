package awstest

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// TestInvalidChangeBatchAsAWSCLISeesIt: the AWS CLI, pointed at the double,
// prints the code and every message of a refused batch, and exits as it does
// for any error AWS answers.
func TestInvalidChangeBatchAsAWSCLISeesIt(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	s := Shared(t)
	r53 := route53.NewFromConfig(s.Config("us-east-1"))
	zone, err := r53.CreateHostedZone(t.Context(), &route53.CreateHostedZoneInput{Name: aws.String("cli.example"), CallerReference: aws.String("aws-cli")})
	if err != nil {
		t.Fatal(err)
	}
	zoneID := aws.ToString(zone.HostedZone.Id)
	txt := func(action r53types.ChangeAction, name, value string) r53types.Change {
		return r53types.Change{Action: action, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name: aws.String(name), Type: r53types.RRTypeTxt, TTL: aws.Int64(300),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(value)}},
		}}
	}
	if _, err := r53.ChangeResourceRecordSets(t.Context(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch:  &r53types.ChangeBatch{Changes: []r53types.Change{txt(r53types.ChangeActionCreate, "txt.cli.example", `"one"`)}},
	}); err != nil {
		t.Fatal(err)
	}

	// The batch as the CLI's --change-batch takes it: Route 53 refuses both
	// changes.
	batch, err := json.Marshal(map[string]any{"Changes": []map[string]any{
		{"Action": "DELETE", "ResourceRecordSet": map[string]any{"Name": "nothing.cli.example", "Type": "TXT", "TTL": 300, "ResourceRecords": []map[string]string{{"Value": `"x"`}}}},
		{"Action": "CREATE", "ResourceRecordSet": map[string]any{"Name": "txt.cli.example", "Type": "TXT", "TTL": 300, "ResourceRecords": []map[string]string{{"Value": `"y"`}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "aws", "route53", "change-resource-record-sets",
		"--endpoint-url", s.URL(), "--hosted-zone-id", zoneID, "--change-batch", string(batch))
	// Only what the command needs: no profile or config of the machine.
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=double-secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=",
	}
	if py := os.Getenv("PYENV_ROOT"); py != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+py)
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("aws route53 change-resource-record-sets: %v (want a refusal)\n%s", err, out)
	}
	want := "An error occurred (InvalidChangeBatch) when calling the ChangeResourceRecordSets operation: " +
		"[Tried to delete resource record set [name='nothing.cli.example.', type='TXT'] but it was not found, " +
		"Tried to create resource record set [name='txt.cli.example.', type='TXT'] but it already exists]"
	if !strings.Contains(string(out), want) {
		t.Errorf("the AWS CLI printed (exit %d):\n%s\nwant it to say:\n%s", exit.ExitCode(), out, want)
	}
}
