package testsend

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// identityStub answers GetEmailIdentity from a table; the other calls are
// not used.
type identityStub struct {
	SESv2API
	verified map[string]bool
	err      error
}

func (s identityStub) GetEmailIdentity(_ context.Context, in *sesv2.GetEmailIdentityInput, _ ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error) {
	if s.err != nil {
		return nil, s.err
	}
	v, ok := s.verified[*in.EmailIdentity]
	if !ok {
		return nil, &sestypes.NotFoundException{}
	}
	return &sesv2.GetEmailIdentityOutput{VerifiedForSendingStatus: v}, nil
}

func TestVerifiedForSending(t *testing.T) {
	verified := VerifiedForSending(t.Context(), identityStub{verified: map[string]bool{"a.example": true, "b.example": false}})
	for identity, want := range map[string]bool{"a.example": true, "b.example": false, "unknown.example": false} {
		got, err := verified(identity)
		if err != nil || got != want {
			t.Errorf("%s: %v, %v; want %v", identity, got, err, want)
		}
	}
	refused := errors.New("AccessDenied")
	if _, err := VerifiedForSending(t.Context(), identityStub{err: refused})("a.example"); !errors.Is(err, refused) {
		t.Errorf("err = %v, want the call's error", err)
	}
}
