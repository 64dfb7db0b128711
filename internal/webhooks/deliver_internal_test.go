package webhooks

import (
	"errors"
	"net"
	"testing"

	"github.com/preventplatform/prevent/internal/audit"
)

// TestWebhookConnectCheck: the check made on every connection, after the host name was resolved, refuses
// loopback (unless allowed), private, link-local, unspecified and other non-public addresses, IPv4 written as
// IPv6 too, and lets public addresses through.
func TestWebhookConnectCheck(t *testing.T) {
	t.Parallel()
	check := dialControl(false)
	checkLoop := dialControl(true)
	for _, addr := range []string{"127.0.0.1:443", "[::1]:443", "10.0.0.1:443", "172.16.5.4:443", "192.168.1.1:443", "169.254.169.254:80",
		"[fe80::1]:443", "0.0.0.0:443", "[::]:443", "[::ffff:10.0.0.1]:443", "[::ffff:127.0.0.1]:443", "100.64.0.1:443", "[fd00::1]:443",
		"224.0.0.1:443", "255.255.255.255:443", "not-an-ip:443"} {
		if err := check("tcp", addr, nil); !errors.Is(err, errRefusedAddress) {
			t.Errorf("%s: %v, want refused", addr, err)
		}
	}
	for _, addr := range []string{"93.184.216.34:443", "[2606:2800:220:1:248:1893:25c8:1946]:443"} {
		if err := check("tcp", addr, nil); err != nil {
			t.Errorf("%s: %v, want allowed", addr, err)
		}
	}
	if err := checkLoop("tcp", "127.0.0.1:8080", nil); err != nil {
		t.Errorf("loopback with the flag: %v", err)
	}
	if err := checkLoop("tcp", "10.0.0.1:8080", nil); err == nil {
		t.Error("a private address was allowed with the loopback flag")
	}
	if refused(net.ParseIP("8.8.8.8"), false) != nil {
		t.Error("a public address was refused")
	}
}

// TestWebhookEventsOf: the audit entries the documented events come from, and entries that are no event.
func TestWebhookEventsOf(t *testing.T) {
	t.Parallel()
	type tc struct {
		action, kind, detail string
		want                 []string
	}
	for _, c := range []tc{
		{"collect", "referral", "submit: NT-1 (draft → submitted)", []string{"referral.submitted", "case.state_changed"}},
		{"alter", "referral", "start_triage (submitted → triage)", []string{"case.state_changed"}},
		{"alter", "referral", "refer_to_channel: triage: Refer to Channel (triage → channel_screening)", []string{"case.triaged", "case.state_changed"}},
		{"alter", "referral", "panel: decision recorded (Adopt, consensus)", []string{"panel.decision_recorded"}},
		{"collect", "referral", "consent: support consent given by subject", []string{"consent.recorded"}},
		{"collect", "referral", "consent: children’s services consulted", nil},
		{"collect", "referral", "support plan: version 2 recorded", []string{"support_plan.recorded"}},
		{"collect", "referral", "assessment: VAF version 1 recorded", []string{"assessment.recorded"}},
		{"collect", "referral", "support: intervention added (mentoring)", []string{"intervention.added"}},
		{"alter", "referral", "share: shared with another organisation (disclosure 4)", []string{"share.made"}},
		{"alter", "referral", "assign: panel_member", []string{"case.assigned"}},
		{"alter", "referral", "case officer: person 12", []string{"case.assigned"}},
		{"collect", "project", "created project", []string{"project.created"}},
		{"consult", "referral", "submit: NT-1 (draft → submitted)", nil},
		{"admin", "webhook_endpoint", "webhook endpoint registered for case.triaged", nil},
		{"alter", "referral", "draft saved", nil},
	} {
		var got []string
		for _, e := range eventsOf(entry(c.action, c.kind, c.detail)) {
			got = append(got, e.Type)
			if !KnownEvent(e.Type) {
				t.Errorf("%q maps to undocumented %s", c.detail, e.Type)
			}
		}
		if len(got) != len(c.want) || (len(got) > 0 && !equal(got, c.want)) {
			t.Errorf("%s %s %q: %v, want %v", c.action, c.kind, c.detail, got, c.want)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func entry(action, kind, detail string) audit.Entry {
	return audit.Entry{Action: audit.Action(action), RecordKind: kind, RecordID: 3, PartnershipID: 1, Detail: detail}
}
