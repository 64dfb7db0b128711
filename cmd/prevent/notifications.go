package main

import (
	"log/slog"
	"net/url"

	"github.com/preventplatform/prevent/internal/notify"
)

// newMailer returns the SMTP mailer that --smtp-url and --smtp-from configure, or nil (email off) when no URL is
// given. The URL may hold a password: it is never logged, and neither are the errors about it.
func newMailer(c *config, publicURL string, logger *slog.Logger) (notify.Mailer, error) {
	if c.SMTPURL == "" {
		logger.Info("email off: no --smtp-url; people are told of their tasks in the service only")
		return nil, nil
	}
	local := "localhost"
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		local = u.Hostname()
	}
	m, err := notify.NewSMTP(notify.SMTPConfig{URL: c.SMTPURL, From: c.SMTPFrom, RequireTLS: c.SMTPRequireTLS, LocalName: local})
	if err != nil {
		return nil, err
	}
	logger.Info("email on", "smtp", m.String())
	return m, nil
}
