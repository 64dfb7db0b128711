package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// ServiceName is how emails name the service.
const ServiceName = "the Prevent partnership service"

// Message is one email: a recipient, a subject and a plain-text body with an HTML alternative. It is built from
// counts only, so it holds no personal data beyond the recipient's own address.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Mailer sends an email.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Subject is an email's subject for its counts: the first non-zero count, for example "You have 2 new tasks in
// the Prevent partnership service".
func Subject(c Counts) string {
	switch {
	case c.New > 0:
		return Text(StageNew, c.New) + " in " + ServiceName
	case c.DueSoon > 0:
		return Text(StageDueSoon, c.DueSoon) + " in " + ServiceName
	case c.Overdue > 0:
		return Text(StageOverdue, c.Overdue) + " in " + ServiceName
	}
	return "Your tasks in " + ServiceName
}

var htmlBody = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html lang="en">
<body style="font-family: Arial, sans-serif; font-size: 19px; line-height: 1.3; color: #0b0c0c;">
{{if .Digest}}<p>This is your daily summary of tasks in {{.Service}}.</p>{{end}}
{{range .Lines}}<p><strong>{{.}}</strong></p>
{{end}}<p><a href="{{.Work}}">Sign in to see your tasks</a></p>
<p>This email does not say what your tasks are about. You can see them only once you have signed in.</p>
<p>To change how often you get these emails, go to <a href="{{.Account}}">your account</a>.</p>
</body>
</html>
`))

// compose writes the email for counts: a digest or an immediate email. It says how many tasks there are, and
// links to the service; it never says whose or what they are.
func (s *Service) compose(to string, c Counts, digest bool) (Message, error) {
	work, account := s.d.PublicURL+"/work", s.d.PublicURL+"/account"
	var b strings.Builder
	b.WriteString("Hello,\r\n\r\n")
	if digest {
		b.WriteString("This is your daily summary of tasks in " + ServiceName + ".\r\n\r\n")
	}
	for _, line := range c.Lines() {
		b.WriteString(line + ".\r\n")
	}
	b.WriteString("\r\nSign in to see your tasks:\r\n" + work + "\r\n\r\n")
	b.WriteString("This email does not say what your tasks are about. You can see them only once you have signed in.\r\n\r\n")
	b.WriteString("To change how often you get these emails, go to your account:\r\n" + account + "\r\n")
	var h bytes.Buffer
	if err := htmlBody.Execute(&h, map[string]any{"Digest": digest, "Service": ServiceName, "Lines": c.Lines(),
		"Work": work, "Account": account}); err != nil {
		return Message{}, fmt.Errorf("notify: email: %w", err)
	}
	return Message{To: to, Subject: Subject(c), Text: b.String(), HTML: h.String()}, nil
}

// buildMIME encodes m as an RFC 5322 message from `from`: multipart/alternative with a quoted-printable
// plain-text part and an HTML part.
func buildMIME(from *mail.Address, m Message, now time.Time) ([]byte, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil || strings.ContainsAny(m.To, "\r\n") {
		return nil, fmt.Errorf("notify: email: the recipient is not an email address")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	headers := []string{
		"From: " + from.String(),
		"To: " + (&mail.Address{Address: to.Address}).String(),
		"Subject: " + mime.QEncoding.Encode("utf-8", m.Subject),
		"Date: " + now.Format(time.RFC1123Z),
		"Message-ID: <" + hex.EncodeToString(id) + "@" + domain + ">",
		"MIME-Version: 1.0",
		"Auto-Submitted: auto-generated",
		`Content-Type: multipart/alternative; boundary="` + mw.Boundary() + `"`,
	}
	var out bytes.Buffer
	out.WriteString(strings.Join(headers, "\r\n") + "\r\n\r\n")
	for _, part := range []struct{ ctype, body string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		if part.body == "" {
			continue
		}
		pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {part.ctype}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write([]byte(part.body)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	out.Write(buf.Bytes())
	return out.Bytes(), nil
}
