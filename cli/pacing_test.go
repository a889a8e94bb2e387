package cli

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestPacingFactor: MAILFORM_PACING_SCALE gives the factor that also divides
// the pause between reverse-DNS polls; unset and "off" leave it at 1.
func TestPacingFactor(t *testing.T) {
	tests := []struct {
		value   string
		want    float64
		wantErr bool
	}{
		{"", 1, false},
		{"off", 1, false},
		{"100", 100, false},
		{" 2.5 ", 2.5, false},
		{"0", 1, true},
		{"-3", 1, true},
		{"fast", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			io := IO{Env: []string{PacingEnv + "=" + tt.value}}
			_, got, err := pacing(aws.Config{}, io)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error: %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("factor = %v, want %v", got, tt.want)
			}
		})
	}
}
