// Package auth is authentication only: it resolves a request to a prevent.Principal. It holds password
// hashing and policy, sign-in with account lockout, second factors (TOTP and WebAuthn passkeys), sessions
// stored in the database and API bearer tokens. Whether a principal may do something is decided in
// internal/access, never here.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Deps are what a Service needs.
type Deps struct {
	DB *database.DB
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// DemoMode honours people.demo_mfa_exempt, letting demo accounts skip the second factor.
	// Only `prevent serve --demo` sets it; otherwise the exemption is ignored.
	DemoMode bool
	// Origin is the address browsers use for the service, such as "https://prevent.example.gov.uk".
	// The WebAuthn relying party ID is its host name. Passkeys are unavailable without it.
	Origin string
	// ServiceName is shown in authenticator apps and passkey prompts; "Prevent" when empty.
	ServiceName string
}

// Service authenticates people. Build it with New.
type Service struct {
	db       *database.DB
	now      func() time.Time
	demo     bool
	name     string
	webauthn *webauthn.WebAuthn
	// webauthnErr says why passkeys are unavailable, when webauthn is nil.
	webauthnErr error
}

// The session and token lifetimes.
const (
	// IdleTimeout ends a session nobody has used for this long.
	IdleTimeout = 30 * time.Minute
	// AbsoluteTimeout ends every session this long after sign-in, however busy.
	AbsoluteTimeout = 12 * time.Hour
	// touchInterval is how stale last_seen_at may get before a request writes it again.
	touchInterval = time.Minute
)

// New returns a Service. It never fails: when Deps.Origin cannot serve as a WebAuthn relying party
// the passkey methods return an error saying why, and everything else works.
func New(d Deps) *Service {
	s := &Service{db: d.DB, now: d.Now, demo: d.DemoMode, name: d.ServiceName}
	if s.now == nil {
		s.now = time.Now
	}
	if s.name == "" {
		s.name = "Prevent"
	}
	s.webauthn, s.webauthnErr = newWebAuthn(d.Origin, s.name)
	return s
}

func newWebAuthn(origin, name string) (*webauthn.WebAuthn, error) {
	if origin == "" {
		return nil, errors.New("auth: passkeys need Deps.Origin")
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("auth: passkeys: origin %q is not an http(s) URL", origin)
	}
	if net.ParseIP(u.Hostname()) != nil {
		// WebAuthn relying party IDs are domains; browsers refuse IP addresses.
		return nil, fmt.Errorf("auth: passkeys need the service to be reached by a domain name (such as http://localhost:8080), not the IP address in %q", origin)
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: name,
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationPreferred,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	return w, nil
}

// clock returns the current time as stored: UTC, microseconds.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// NeedsStepUp reports whether p has signed in with a password but still has to pass a second factor
// before seeing personal data.
func NeedsStepUp(p prevent.Principal) bool { return !p.Anonymous() && p.NeedsSecondFactor() && !p.MFA }

// newSecret returns 32 random bytes, base64url-encoded with the given prefix, and the SHA-256 of the whole string.
func newSecret(prefix string) (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("auth: random: %w", err)
	}
	tok := prefix + base64.RawURLEncoding.EncodeToString(b)
	return tok, hashSecret(tok), nil
}

// hashSecret is what is stored for a session or API token: its SHA-256. The tokens carry 256 random bits,
// so a fast hash is enough; a database leak gives nothing that can be presented.
func hashSecret(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// appendAudit writes an entry about a person (or one of their credentials) for the principal in ctx.
func (s *Service) appendAudit(ctx context.Context, tx *database.Tx, now time.Time, action audit.Action, kind string, id prevent.ID, detail string) error {
	e := audit.New(ctx, now, action, kind, id)
	e.Detail = detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return err
	}
	return nil
}

// personKind is the audit record kind for people.
const personKind = "person"
