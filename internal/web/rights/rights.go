// Package rights holds the pages of data subjects' rights: the notices sent to organisations that received a
// case's data (consent withdrawn, record rectified), the rectification of a person's details, and the subject
// access bundle with its redaction step. The services decide access again and audit.
package rights

import (
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	subjectrights "github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Deps are what the pages need.
type Deps struct {
	// Rights rectifies a person's details and answers subject access requests.
	Rights *subjectrights.Service
	// Sharing holds the notices sent to the organisations that received a case's data.
	Sharing *sharing.Service
	// Casework gives the referral whose person is corrected.
	Casework *casework.Service
	Now      func() time.Time
}

// The pages' addresses.
var (
	// NoticesPath lists the notices sent to the signed-in person's organisation.
	NoticesPath = core.NewPath1("/partnerships/{pid}/notices")
	// AllNoticesPath lists every notice of the partnership, for the data protection officer.
	AllNoticesPath = core.NewPath1("/partnerships/{pid}/notices/all")
	// NoticePath is one notice and the form to complete it.
	NoticePath = core.NewPath2("/partnerships/{pid}/notices/{id}")
	// RectifyPath corrects a detail of the person a case is about.
	RectifyPath = core.NewPath2("/partnerships/{pid}/cases/{id}/rectify")
	// RequestPath is a subject access request: its subject and the bundle's actions.
	RequestPath = core.NewPath2("/partnerships/{pid}/subject-access/{id}")
	// RequestSubjectPath links a subject access request to the person it is about.
	RequestSubjectPath = core.NewPath2("/partnerships/{pid}/subject-access/{id}/subject")
	// RedactionsPath is the redaction step: the items withheld from the bundle.
	RedactionsPath = core.NewPath2("/partnerships/{pid}/subject-access/{id}/redactions")
	// ReleasePath shows a withheld item in the bundle again.
	ReleasePath = core.NewPath2("/partnerships/{pid}/subject-access/{id}/redactions/release")
	// BundlePath is the printable bundle.
	BundlePath = core.NewPath2("/partnerships/{pid}/subject-access/{id}/bundle")
	// BundleJSONPath is the bundle as a JSON download.
	BundleJSONPath = core.NewPath2("/partnerships/{pid}/subject-access/{id}/bundle.json")
)

// casePath is the page of a case, which the rectification page goes back to. The case pages are not in this
// package; this is only their address, for links.
var casePath = core.NewPath2("/partnerships/{pid}/cases/{id}")

type pages struct {
	core.Pages
	d Deps
}

// Register adds the subject rights pages to the site.
func Register(site core.Site, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	p := &pages{Pages: site, d: d}
	get, post := http.MethodGet, http.MethodPost

	site.Handle(get, NoticesPath.Pattern(), access.NoticeWork, p.handleNotices)
	site.Handle(get, AllNoticesPath.Pattern(), access.NoticeOversee, p.handleAllNotices)
	site.Handle(get, NoticePath.Pattern(), access.NoticeWork, p.handleNotice)
	site.Handle(post, NoticePath.Pattern(), access.NoticeWork, p.handleNoticePost)

	site.Handle(get, RectifyPath.Pattern(), access.CaseRectify, p.handleRectify)
	site.Handle(post, RectifyPath.Pattern(), access.CaseRectify, p.handleRectifyPost)

	site.Handle(get, RequestPath.Pattern(), access.SubjectAccessManage, p.handleRequest)
	site.Handle(post, RequestSubjectPath.Pattern(), access.SubjectAccessManage, p.handleRequestSubjectPost)
	site.Handle(get, RedactionsPath.Pattern(), access.SubjectAccessManage, p.handleRedactions)
	site.Handle(post, RedactionsPath.Pattern(), access.SubjectAccessManage, p.handleRedactionsPost)
	site.Handle(post, ReleasePath.Pattern(), access.SubjectAccessManage, p.handleReleasePost)
	site.Handle(get, BundlePath.Pattern(), access.SubjectAccessManage, p.handleBundle)
	site.Handle(get, BundleJSONPath.Pattern(), access.SubjectAccessManage, p.handleBundleJSON)
}
