package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/prevent"
)

// enrolTOTP sets up an authenticator app for the person, as they would themselves: auth creates the secret,
// and the confirmation uses the code of the previous 30-second step, which auth still accepts. The replay
// guard then records that earlier step, so the code showing now is free for the person's first sign-in.
func enrolTOTP(ctx context.Context, d Deps, personID prevent.ID) (string, error) {
	self, err := auth.LoadPrincipal(ctx, d.DB.Read(), personID, d.Now())
	if err != nil {
		return "", fmt.Errorf("demo: load person %d: %w", personID, err)
	}
	ctx = prevent.NewContextWithPrincipal(ctx, self)
	e, err := d.Auth.BeginTOTP(ctx, personID)
	if err != nil {
		return "", fmt.Errorf("demo: authenticator app for person %d: %w", personID, err)
	}
	code, err := totp.GenerateCodeCustom(e.Secret, d.Now().Add(-time.Duration(totpOptions.Period)*time.Second), totpOptions)
	if err != nil {
		return "", fmt.Errorf("demo: authenticator app for person %d: %w", personID, err)
	}
	if err := d.Auth.ConfirmTOTP(ctx, personID, code); err != nil {
		return "", fmt.Errorf("demo: confirm authenticator app for person %d: %w", personID, err)
	}
	return e.Secret, nil
}
