// Package imports holds the administrator's pages for bringing people and an existing caseload in from a
// file: the list of imports with the templates, checking or importing a file, and one import's report or
// progress. The importer decides every action again.
package imports

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/importer"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Deps are what the pages need.
type Deps struct {
	Imports *importer.Service
	Now     func() time.Time
}

// The pages' addresses.
var (
	// ListPath lists the partnership's imports, with the templates and the form to check or import a file.
	ListPath = core.NewPath1("/partnerships/{pid}/imports")
	// ImportPath is one import: its report, or how far it has got.
	ImportPath = core.NewPath2("/partnerships/{pid}/imports/{id}")
	// ReportPath is an import's problems as CSV.
	ReportPath = core.NewPath2("/partnerships/{pid}/imports/{id}/report.csv")
)

// format is a kind of template file.
type format struct {
	Ext, Name, ContentType string
}

// formats are the template files offered: CSV, and a workbook with a guidance sheet.
var formats = []format{
	{Ext: "csv", Name: "CSV", ContentType: "text/csv; charset=utf-8"},
	{Ext: "xlsx", Name: "Excel workbook", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}

// kinds are the kinds of file, in the order the pages offer them.
var kinds = []importer.Kind{importer.People, importer.Cases}

// TemplatePath is the address of the empty template of a kind of file in a format (csv or xlsx), such as
// /partnerships/{pid}/imports/templates/cases.xlsx.
func TemplatePath(k importer.Kind, ext string) core.Path1 {
	return core.NewPath1("/partnerships/{pid}/imports/templates/" + string(k) + "." + ext)
}

type pages struct {
	core.Pages
	d Deps
}

// Register adds the import pages to the site.
func Register(site core.Site, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	p := &pages{Pages: site, d: d}
	get, post := http.MethodGet, http.MethodPost
	m := access.ImportRun
	site.Handle(get, ListPath.Pattern(), m, p.handleList)
	site.Handle(post, ListPath.Pattern(), m, p.handlePost)
	site.Handle(get, ImportPath.Pattern(), m, p.handleImport)
	site.Handle(get, ReportPath.Pattern(), m, p.handleReport)
	for _, k := range kinds {
		for _, f := range formats {
			site.Handle(get, TemplatePath(k, f.Ext).Pattern(), m, p.handleTemplate(k, f))
		}
	}
}

func principalOf(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }

// listView is the list page's data: the imports so far and the form.
type listView struct {
	PID     prevent.ID
	Imports []importer.Import
	Form    core.Form
}

func (p *pages) renderList(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	ims, err := p.d.Imports.Imports(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	l := p.Layout(r, "Import people and cases")
	l.Back, l.Errors = "/partnerships/"+core.IDText(pid), f.Errors
	return p.Page(w, r, l, listPage(l, listView{PID: pid, Imports: ims, Form: f}))
}

func (p *pages) handleList(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return p.renderList(w, r, pid, core.Form{Values: url.Values{}})
}

// readUpload parses a multipart upload no larger than the importer takes, returning the form fields and the
// file (empty when none was chosen). A file too large, or a form that cannot be read, is an error on the
// file field.
func readUpload(w http.ResponseWriter, r *http.Request) (core.Form, string, []byte, error) {
	f := core.Form{Values: url.Values{}}
	tooLarge := prevent.Validation([]prevent.FieldError{{Field: "file", Message: "The file must be 20 MB or smaller: split it into smaller files"}})
	r.Body = http.MaxBytesReader(w, r.Body, importer.MaxFileSize+(64<<10))
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return f, "", nil, tooLarge
		}
		return f, "", nil, prevent.Validation([]prevent.FieldError{{Field: "file", Message: "The form could not be read. Try again"}})
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	f.Values = url.Values(r.MultipartForm.Value)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return f, "", nil, nil
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, importer.MaxFileSize+1))
	if err != nil {
		return f, "", nil, prevent.Validation([]prevent.FieldError{{Field: "file", Message: "The file could not be read. Try again"}})
	}
	if len(data) > importer.MaxFileSize {
		return f, "", nil, tooLarge
	}
	return f, hdr.Filename, data, nil
}

// onFile keeps a refusal of the file as a whole on the file field, so the error summary leads to it.
func onFile(f core.Form, err error) core.Form {
	if fe := prevent.FieldErrors(err); len(fe) > 0 {
		f.Errors = fe
		return f
	}
	f.Errors = []prevent.FieldError{{Field: "file", Message: prevent.PublicMessage(err)}}
	return f
}

func (p *pages) handlePost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, name, data, err := readUpload(w, r)
	if err != nil {
		if core.Invalid(err) {
			return p.renderList(w, r, pid, f.WithErr(err))
		}
		return err
	}
	kind := importer.Kind(f.Get("kind"))
	var fields prevent.Fields
	if !kind.Valid() {
		fields.Add("kind", "Select what the file holds")
	}
	if len(data) == 0 {
		fields.Add("file", "Select a file")
	}
	if err := fields.Err(); err != nil {
		return p.renderList(w, r, pid, f.WithErr(err))
	}
	ctx, pr := r.Context(), principalOf(r)
	var report importer.Report
	if f.Get("action") == "import" {
		report, err = p.d.Imports.Start(ctx, pr, pid, kind, name, data)
	} else {
		report, err = p.d.Imports.Check(ctx, pr, pid, kind, name, data)
	}
	if core.Invalid(err) || core.Refused(err) {
		return p.renderList(w, r, pid, onFile(f, err))
	}
	if err != nil {
		return err
	}
	id := report.ImportID
	if id == 0 {
		// A check, or an import refused for its problems: the report is kept so it can be read and downloaded.
		if id, err = p.d.Imports.Record(ctx, pr, pid, report); err != nil {
			return err
		}
	}
	http.Redirect(w, r, ImportPath.Link(pid, id), http.StatusSeeOther)
	return nil
}

// importView is one import's page data.
type importView struct {
	PID      prevent.ID
	Import   importer.Import
	Problems []importer.Problem
}

func (p *pages) handleImport(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	im, problems, err := p.d.Imports.Get(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	if im.Status == "running" {
		// The page follows the run: the browser loads it again every 2 seconds until the import has ended.
		w.Header().Set("Refresh", "2")
		w.Header().Set("Cache-Control", "no-store")
	}
	l := p.Layout(r, "Import "+core.IDText(im.ID))
	l.Back = ListPath.Link(pid)
	return p.Page(w, r, l, importPage(l, importView{PID: pid, Import: im, Problems: problems}))
}

func (p *pages) handleReport(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	im, problems, err := p.d.Imports.Get(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := (importer.Report{Problems: problems}).WriteCSV(&b); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "prevent-import-" + core.IDText(im.ID) + "-report.csv"}))
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	_, _ = w.Write(b.Bytes())
	return nil
}

func (p *pages) handleTemplate(k importer.Kind, f format) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := core.PathID(r, "pid"); err != nil {
			return err
		}
		body, err := importer.Template(k, f.Ext)
		if err != nil {
			return err
		}
		h := w.Header()
		h.Set("Content-Type", f.ContentType)
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "prevent-" + string(k) + "-template." + f.Ext}))
		h.Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
		return nil
	}
}
