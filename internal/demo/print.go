package demo

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/preventplatform/prevent/internal/prevent"
)

// PrintAccounts writes the demo accounts as an aligned table, with a banner saying they are synthetic and
// how to pass the second factor. url is where the service can be reached; created says whether the demo
// partnership was loaded just now.
func PrintAccounts(w io.Writer, url string, accounts []Account, created bool) {
	rule := strings.Repeat("=", 100)
	fmt.Fprintln(w, rule)
	fmt.Fprintln(w, "DEMO MODE: these are synthetic demo accounts in the invented "+PartnershipName+".")
	fmt.Fprintln(w, "Every person, organisation and email address is made up. Do not enter real personal data.")
	if created {
		fmt.Fprintln(w, "The demo partnership was loaded just now.")
	} else {
		fmt.Fprintln(w, "The demo partnership was already loaded; its accounts are unchanged.")
	}
	if url != "" {
		fmt.Fprintln(w, "Sign in at "+url)
	}
	fmt.Fprintln(w, rule)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tNAME\tORGANISATION\tEMAIL\tPASSWORD\tTOTP SECRET")
	for _, a := range accounts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", prevent.Role(a.Role), a.Name, a.Organisation, a.Email, a.Password, a.TOTPSecret)
	}
	tw.Flush()
	fmt.Fprintln(w, rule)
	fmt.Fprintln(w, "Second factor: add an account's TOTP secret to any authenticator app (6 digits, 30 seconds),")
	fmt.Fprintln(w, "or print its current code with: go run ./cmd/prevent demo code --email EMAIL")
	fmt.Fprintln(w, rule)
}
