package programme

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/web/core"
)

// libraryView is the documents the person's clearance covers.
type libraryView struct {
	PID       prevent.ID
	Documents []programme.Document
	CanEdit   bool
}

func (pg *pages) handleLibrary(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	docs, err := pg.d.Programme.Documents(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	l := pg.Layout(r, "Resources library")
	l.Back = HomePath.Link(pid)
	for _, d := range docs {
		if d.Marking > l.Marking {
			l.Marking = d.Marking
		}
	}
	return pg.Page(w, r, l, libraryPage(l, libraryView{PID: pid, Documents: docs, CanEdit: pg.May(r, pid, access.LibraryEdit)}))
}

func documentKindName(kind string) string {
	for _, k := range programme.DocumentKinds {
		if k.Kind == kind {
			return k.Name
		}
	}
	return kind
}

// readUpload parses a multipart upload no larger than the library's limit, returning the form fields and the
// file (when one was chosen).
func readUpload(w http.ResponseWriter, r *http.Request) (core.Form, string, []byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, programme.MaxDocumentSize+(64<<10))
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return core.Form{}, "", nil, prevent.Validation([]prevent.FieldError{{Field: "file", Message: "The file must be smaller than 10 MB"}})
		}
		return core.Form{}, "", nil, prevent.Errorf(prevent.Invalid, "The form could not be read. Try again")
	}
	f := core.Form{Values: url.Values(r.MultipartForm.Value)}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return f, "", nil, nil
	}
	defer file.Close()
	content, err := io.ReadAll(io.LimitReader(file, programme.MaxDocumentSize+1))
	if err != nil {
		return f, "", nil, prevent.Errorf(prevent.Invalid, "The file could not be read. Try again")
	}
	return f, hdr.Filename, content, nil
}

func (pg *pages) handleDocumentNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{"marking": {prevent.Official.String()}}}
	return pg.formPage(w, r, "Add a document", LibraryPath.Link(pid), f, func(l core.Layout) templ.Component { return documentFormPage(l, pid, f) })
}

func (pg *pages) handleDocumentNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, name, content, err := readUpload(w, r)
	if f.Values == nil {
		f = emptyForm()
	}
	d := &dates{f: f}
	if err == nil {
		var id prevent.ID
		id, err = pg.d.Programme.Upload(r.Context(), principalOf(r), pid, programme.DocumentInput{Title: f.Get("title"), Kind: f.Get("kind"),
			Marking: f.Get("marking"), Originator: f.Get("originator"), Audience: f.Get("audience"), ReviewOn: d.day("review-on", "Review date"),
			Filename: name, Content: content})
		if err == nil {
			return pg.Flash(w, r, DocumentPath.Link(pid, id), "Document added")
		}
	}
	if core.Invalid(err) {
		f = d.withErr(err)
		return pg.formPage(w, r, "Add a document", LibraryPath.Link(pid), f, func(l core.Layout) templ.Component { return documentFormPage(l, pid, f) })
	}
	return err
}

// documentView is one library document with its versions.
type documentView struct {
	PID      prevent.ID
	Document programme.Document
	CanEdit  bool
	Form     core.Form
}

func (pg *pages) renderDocument(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	d, err := pg.d.Programme.Document(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	l := pg.Layout(r, d.Title)
	l.Back, l.Marking, l.Errors = LibraryPath.Link(pid), d.Marking, f.Errors
	return pg.Page(w, r, l, documentPage(l, documentView{PID: pid, Document: d, CanEdit: pg.May(r, pid, access.LibraryEdit), Form: f}))
}

func (pg *pages) handleDocument(w http.ResponseWriter, r *http.Request) error {
	return pg.renderDocument(w, r, emptyForm())
}

func (pg *pages) handleDownload(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	d, err := pg.d.Programme.Document(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	file, err := pg.d.Programme.Content(r.Context(), principalOf(r), pid, id, atoi(r.URL.Query().Get("version"), 0))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", file.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": file.Filename}))
	// The download carries its protective marking, as the page does.
	h.Set("X-Protective-Marking", d.Marking.String())
	h.Set("Content-Length", strconv.Itoa(len(file.Content)))
	_, _ = w.Write(file.Content)
	return nil
}

func (pg *pages) handleVersionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, name, content, err := readUpload(w, r)
	if err == nil {
		_, err = pg.d.Programme.AddVersion(r.Context(), principalOf(r), pid, id, name, content)
	}
	if core.Invalid(err) {
		if f.Values == nil {
			f = emptyForm()
		}
		return pg.renderDocument(w, r, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, DocumentPath.Link(pid, id), "New version uploaded")
}
