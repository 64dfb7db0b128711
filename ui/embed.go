// Package ui holds the static assets of the web interface: the pinned GOV.UK
// Frontend build and our own small script and stylesheet. They are embedded
// so that the binary serves them without Node or files on disk.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// Static is the embedded asset tree. Its paths keep the "static/" prefix
// ("static/app.js", "static/govuk/govuk-frontend.min.css"), so that
// http.FileServerFS(ui.Static) registered for "GET /static/" serves the URL
// path /static/app.js with no prefix stripping.
var Static fs.FS = static
