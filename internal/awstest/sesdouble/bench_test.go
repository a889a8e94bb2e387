package sesdouble

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// BenchmarkBatchDkimRead measures one v1 GetIdentityDkimAttributes call for
// 100 identities through the real SDK client, DNS checked on every read.
func BenchmarkBatchDkimRead(b *testing.B) {
	e := newEnv(b)
	ctx := b.Context()
	var names []string
	for i := range 100 {
		name := fmt.Sprintf("b%03d.example", i)
		names = append(names, name)
		if _, err := e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(name)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.v1.GetIdentityDkimAttributes(ctx, &ses.GetIdentityDkimAttributesInput{Identities: names}); err != nil {
			b.Fatal(err)
		}
	}
}
