package programme

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// MaxDocumentSize is the largest file the library accepts: 10 MiB.
const MaxDocumentSize = 10 << 20

// DocumentKinds are the kinds of library document, with their names.
var DocumentKinds = []struct{ Kind, Name string }{
	{"ctlp", "Counter-terrorism local profile"},
	{"analysis", "Analysis paper"},
	{"guidance", "Guidance"},
	{"newsletter", "Newsletter"},
	{"other", "Other"},
}

// DocumentInput is a new library document as uploaded.
type DocumentInput struct {
	Title      string // "title"
	Kind       string // "kind"
	Marking    string // "marking": OFFICIAL or OFFICIAL-SENSITIVE (SECRET is refused)
	Originator string // "originator"
	Audience   string // "audience"
	ReviewOn   string // "review-on"
	Filename   string // "file"
	Content    []byte // "file"
}

// Document is a library document's details and its versions (without content).
type Document struct {
	ID             prevent.ID
	Title          string
	Kind           string
	Marking        prevent.Marking
	Originator     string
	Audience       string
	ReviewOn       string
	CurrentVersion int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Versions       []DocumentVersion // newest first; only from Document
}

// DocumentVersion is one uploaded version of a document.
type DocumentVersion struct {
	Version     int
	Filename    string
	ContentType string
	Size        int64
	UploadedBy  prevent.ID
	UploadedAt  time.Time
}

// File is a document version's content, with the type found by sniffing it.
type File struct {
	Filename    string
	ContentType string
	Content     []byte
}

const allowedTypes = "a PDF, Word, Excel, PowerPoint, OpenDocument, plain text, PNG, JPEG or GIF file"

var oleTypes = map[string]string{
	".doc": "application/msword",
	".xls": "application/vnd.ms-excel",
	".ppt": "application/vnd.ms-powerpoint",
}

// SniffType finds a file's type from its content (and, only for legacy Office files, its name), and
// reports whether the library accepts it. Domain packages do not import net/http, so this reads the few
// signatures the library accepts itself rather than calling http.DetectContentType.
func SniffType(filename string, content []byte) (string, bool) {
	has := func(sig string) bool { return bytes.HasPrefix(content, []byte(sig)) }
	switch {
	case has("%PDF-"):
		return "application/pdf", true
	case has("\x89PNG\r\n\x1a\n"):
		return "image/png", true
	case has("\xff\xd8\xff"):
		return "image/jpeg", true
	case has("GIF87a"), has("GIF89a"):
		return "image/gif", true
	case has("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
		t, ok := oleTypes[strings.ToLower(path.Ext(filename))]
		return t, ok
	case has("PK\x03\x04"):
		return sniffZip(content)
	}
	if len(content) > 0 && utf8.Valid(content) {
		for _, c := range content {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
				return "", false
			}
		}
		return "text/plain; charset=utf-8", true
	}
	return "", false
}

// sniffZip accepts Office Open XML and OpenDocument files, which are zip archives.
func sniffZip(content []byte) (string, bool) {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return "", false
	}
	var contentTypes bool
	for _, f := range zr.File {
		switch {
		case f.Name == "mimetype":
			rc, err := f.Open()
			if err != nil {
				return "", false
			}
			b, _ := io.ReadAll(io.LimitReader(rc, 100))
			rc.Close()
			if t := string(b); strings.HasPrefix(t, "application/vnd.oasis.opendocument.") {
				return t, true
			}
		case f.Name == "[Content_Types].xml":
			contentTypes = true
		}
	}
	if !contentTypes {
		return "", false
	}
	for _, f := range zr.File {
		switch {
		case strings.HasPrefix(f.Name, "word/"):
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true
		case strings.HasPrefix(f.Name, "xl/"):
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true
		case strings.HasPrefix(f.Name, "ppt/"):
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation", true
		}
	}
	return "", false
}

// checkFile validates an upload's content, adding errors on the "file" field.
func checkFile(f *prevent.Fields, filename string, content []byte) string {
	switch {
	case len(content) == 0:
		f.Add("file", "Select a file to upload")
		return ""
	case len(content) > MaxDocumentSize:
		f.Add("file", "The file must be smaller than 10 MB")
		return ""
	}
	checkText(f, "file", filename, "Select a file to upload", 255)
	t, ok := SniffType(filename, content)
	if !ok {
		f.Add("file", "The file must be "+allowedTypes)
	}
	return t
}

// maxMarking is the highest marking p's clearance covers now.
func maxMarking(p prevent.Principal, now time.Time) prevent.Marking {
	var m prevent.Marking
	for _, x := range prevent.Markings {
		if p.Clearance.Covers(x, now) {
			m = x
		}
	}
	return m
}

// Upload adds a document to the library. SECRET documents are refused, and nobody uploads a document marked
// above what their own clearance covers.
func (s *Service) Upload(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, in DocumentInput) (prevent.ID, error) {
	if err := s.decide(p, access.LibraryEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	marking, err := s.checkDocument(p, in)
	if err != nil {
		return 0, err
	}
	ctype, _ := SniffType(in.Filename, in.Content)
	var id prevent.ID
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		now := s.now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO library_documents (partnership_id, title, kind, marking, originator, audience, review_on,
			current_version, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9) RETURNING id`,
			partnershipID, strings.TrimSpace(in.Title), in.Kind, int(marking), strings.TrimSpace(in.Originator), strings.TrimSpace(in.Audience),
			in.ReviewOn, p.PersonID, now).Scan(&id); err != nil {
			return fmt.Errorf("programme: upload: %w", err)
		}
		if err := insertVersion(ctx, tx, id, 1, in.Filename, ctype, in.Content, p.PersonID, now); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "library_document", id, partnershipID, "uploaded version 1 ("+marking.String()+")")
	})
	return id, err
}

// checkDocument validates a document's details and file, returning its marking.
func (s *Service) checkDocument(p prevent.Principal, in DocumentInput) (prevent.Marking, error) {
	var f prevent.Fields
	checkText(&f, "title", in.Title, "Enter the document’s title", 200)
	known := false
	for _, k := range DocumentKinds {
		known = known || k.Kind == in.Kind
	}
	if !known {
		f.Add("kind", "Select the kind of document")
	}
	marking, err := prevent.ParseMarking(in.Marking)
	switch {
	case err != nil:
		f.Add("marking", prevent.PublicMessage(err))
	case marking >= prevent.Secret:
		f.Add("marking", "SECRET documents cannot be uploaded to this service: keep them on a system accredited for SECRET material")
	case !p.Clearance.Covers(marking, s.now()):
		f.Add("marking", "Your vetting does not cover "+marking.String()+" material, so you cannot upload a document with that marking")
	}
	checkText(&f, "originator", in.Originator, "Enter who produced the document", 200)
	checkText(&f, "audience", in.Audience, "Enter who the document is for", 500)
	if !validDate(in.ReviewOn) {
		f.Add("review-on", "Enter the date the document should be reviewed as a real date")
	}
	checkFile(&f, in.Filename, in.Content)
	return marking, f.Err()
}

func insertVersion(ctx context.Context, tx *database.Tx, id prevent.ID, v int, filename, ctype string, content []byte, by prevent.ID, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO library_versions (document_id, version, filename, content_type, size, content, uploaded_by, uploaded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, v, path.Base(strings.ReplaceAll(strings.TrimSpace(filename), `\`, "/")), ctype, len(content), content, by, at); err != nil {
		return fmt.Errorf("programme: document version: %w", err)
	}
	return nil
}

// loadDocument reads a document's details if p may see it: a document marked above p's clearance is NotFound.
func (s *Service) loadDocument(ctx context.Context, q database.Querier, p prevent.Principal, a access.Action, partnershipID, id prevent.ID) (Document, error) {
	if err := s.decide(p, a, partnershipID, 0, "Document"); err != nil {
		return Document{}, err
	}
	var d Document
	err := q.QueryRowContext(ctx, `SELECT id, title, kind, marking, originator, audience, review_on, current_version, created_at, updated_at
		FROM library_documents WHERE partnership_id = $1 AND id = $2`, partnershipID, id).
		Scan(&d.ID, &d.Title, &d.Kind, &d.Marking, &d.Originator, &d.Audience, &d.ReviewOn, &d.CurrentVersion, &d.CreatedAt, &d.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return d, access.NotFound("Document")
	}
	if err != nil {
		return d, fmt.Errorf("programme: document %d: %w", id, err)
	}
	if err := s.decide(p, a, partnershipID, d.Marking, "Document"); err != nil {
		return Document{}, err
	}
	return d, nil
}

// AddVersion uploads a new version of a document.
func (s *Service) AddVersion(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, filename string, content []byte) (int, error) {
	var f prevent.Fields
	ctype := checkFile(&f, filename, content)
	var v int
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		d, err := s.loadDocument(ctx, tx, p, access.LibraryEdit, partnershipID, id)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		v = d.CurrentVersion + 1
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE library_documents SET current_version = $1, updated_at = $2 WHERE id = $3`, v, now, id); err != nil {
			return fmt.Errorf("programme: add version: %w", err)
		}
		if err := insertVersion(ctx, tx, id, v, filename, ctype, content, p.PersonID, now); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "library_document", id, partnershipID, "uploaded version "+strconv.Itoa(v))
	})
	return v, err
}

// DocumentDetails are a document's details as a coordinator changes them.
type DocumentDetails struct {
	Title      string // "title"
	Kind       string // "kind"
	Marking    string // "marking"
	Originator string // "originator"
	Audience   string // "audience"
	ReviewOn   string // "review-on"
}

// UpdateDocument changes a document's details. The editor's clearance must cover both the old and the new
// marking, and SECRET is refused as on upload.
func (s *Service) UpdateDocument(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, in DocumentDetails) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := s.loadDocument(ctx, tx, p, access.LibraryEdit, partnershipID, id); err != nil {
			return err
		}
		probe := DocumentInput{Title: in.Title, Kind: in.Kind, Marking: in.Marking, Originator: in.Originator, Audience: in.Audience,
			ReviewOn: in.ReviewOn, Filename: "details.txt", Content: []byte("details")}
		marking, err := s.checkDocument(p, probe)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE library_documents SET title = $1, kind = $2, marking = $3, originator = $4, audience = $5,
			review_on = $6, updated_at = $7 WHERE id = $8`, strings.TrimSpace(in.Title), in.Kind, int(marking), strings.TrimSpace(in.Originator),
			strings.TrimSpace(in.Audience), in.ReviewOn, s.now(), id); err != nil {
			return fmt.Errorf("programme: update document: %w", err)
		}
		return s.record(ctx, tx, p, audit.Alter, "library_document", id, partnershipID, "updated details ("+marking.String()+")")
	})
}

// Documents lists the library documents the principal's clearance covers, by title.
func (s *Service) Documents(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Document, error) {
	if err := s.decide(p, access.LibraryView, partnershipID, 0, "Partnership"); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, title, kind, marking, originator, audience, review_on, current_version, created_at, updated_at
		FROM library_documents WHERE partnership_id = $1 AND marking <= $2 ORDER BY lower(title), id`, partnershipID, int(maxMarking(p, s.now())))
	if err != nil {
		return nil, fmt.Errorf("programme: documents: %w", err)
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		var d Document
		if err := rows.Scan(&d.ID, &d.Title, &d.Kind, &d.Marking, &d.Originator, &d.Audience, &d.ReviewOn, &d.CurrentVersion, &d.CreatedAt, &d.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Document returns a document's details and versions; NotFound when the principal's clearance does not cover
// its marking.
func (s *Service) Document(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID) (Document, error) {
	q := s.db.Read()
	d, err := s.loadDocument(ctx, q, p, access.LibraryView, partnershipID, id)
	if err != nil {
		return d, err
	}
	rows, err := q.QueryContext(ctx, `SELECT version, filename, content_type, size, uploaded_by, uploaded_at FROM library_versions
		WHERE document_id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return d, fmt.Errorf("programme: document versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v DocumentVersion
		if err := rows.Scan(&v.Version, &v.Filename, &v.ContentType, &v.Size, &v.UploadedBy, &v.UploadedAt); err != nil {
			return d, err
		}
		d.Versions = append(d.Versions, v)
	}
	return d, rows.Err()
}

// Content returns a version's content (0 means the current version). Reading it is recorded in the audit log.
func (s *Service) Content(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, version int) (File, error) {
	var file File
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		d, err := s.loadDocument(ctx, tx, p, access.LibraryView, partnershipID, id)
		if err != nil {
			return err
		}
		if version == 0 {
			version = d.CurrentVersion
		}
		err = tx.QueryRowContext(ctx, `SELECT filename, content_type, content FROM library_versions WHERE document_id = $1 AND version = $2`, id, version).
			Scan(&file.Filename, &file.ContentType, &file.Content)
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Document version")
		}
		if err != nil {
			return fmt.Errorf("programme: content: %w", err)
		}
		return s.record(ctx, tx, p, audit.Consult, "library_document", id, partnershipID, "read version "+strconv.Itoa(version))
	})
	return file, err
}

// QandA is a public question and answer.
type QandA struct {
	ID       prevent.ID
	Topic    string
	Question string
	Answer   string
	Sort     int
}

// QandAInput is a question and answer as a coordinator enters it.
type QandAInput struct {
	Topic    string // "topic"
	Question string // "question"
	Answer   string // "answer"
	Sort     string // "sort": a whole number giving its place in the list
}

// PublicQandA lists a partnership's public questions and answers: its own once it has edited them, the
// service's defaults until then. Anyone may read them.
func (s *Service) PublicQandA(ctx context.Context, partnershipID prevent.ID) ([]QandA, error) {
	q := s.db.Read()
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM qanda WHERE partnership_id = $1`, partnershipID).Scan(&n); err != nil {
		return nil, fmt.Errorf("programme: qanda: %w", err)
	}
	const cols = `SELECT id, topic, question, answer, sort FROM qanda WHERE `
	var rows *sql.Rows
	var err error
	if n > 0 {
		rows, err = q.QueryContext(ctx, cols+`partnership_id = $1 ORDER BY sort, id`, partnershipID)
	} else {
		rows, err = q.QueryContext(ctx, cols+`partnership_id IS NULL ORDER BY sort, id`)
	}
	if err != nil {
		return nil, fmt.Errorf("programme: qanda: %w", err)
	}
	defer rows.Close()
	var out []QandA
	for rows.Next() {
		var x QandA
		if err := rows.Scan(&x.ID, &x.Topic, &x.Question, &x.Answer, &x.Sort); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// ownQandA copies the defaults into the partnership the first time it edits its list.
func (s *Service) ownQandA(ctx context.Context, tx *database.Tx, partnershipID prevent.ID) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM qanda WHERE partnership_id = $1`, partnershipID).Scan(&n); err != nil {
		return fmt.Errorf("programme: qanda: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO qanda (partnership_id, copied_from, topic, question, answer, sort, updated_at)
		SELECT $1, id, topic, question, answer, sort, $2 FROM qanda WHERE partnership_id IS NULL`, partnershipID, s.now()); err != nil {
		return fmt.Errorf("programme: copy qanda: %w", err)
	}
	return nil
}

// SaveQandA adds (id 0) or changes one of the partnership's questions and answers. The id may name a default
// entry: the partnership's copy of it is changed.
func (s *Service) SaveQandA(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, in QandAInput) (prevent.ID, error) {
	if err := s.decide(p, access.QandAEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	checkText(&f, "topic", in.Topic, "Enter the topic", 100)
	checkText(&f, "question", in.Question, "Enter the question", 500)
	checkText(&f, "answer", in.Answer, "Enter the answer", 5000)
	sortKey, err := strconv.Atoi(strings.TrimSpace(in.Sort))
	if err != nil || sortKey < 0 || sortKey > 10000 {
		f.Add("sort", "Enter the place in the list as a whole number")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := s.ownQandA(ctx, tx, partnershipID); err != nil {
			return err
		}
		now := s.now()
		topic, question, answer := strings.TrimSpace(in.Topic), strings.TrimSpace(in.Question), strings.TrimSpace(in.Answer)
		action := audit.Alter
		if id == 0 {
			action = audit.Collect
			if err := tx.QueryRowContext(ctx, `INSERT INTO qanda (partnership_id, topic, question, answer, sort, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, partnershipID, topic, question, answer, sortKey, now).Scan(&id); err != nil {
				return fmt.Errorf("programme: add qanda: %w", err)
			}
		} else {
			err := tx.QueryRowContext(ctx, `UPDATE qanda SET topic = $1, question = $2, answer = $3, sort = $4, updated_at = $5
				WHERE partnership_id = $6 AND (id = $7 OR copied_from = $7) RETURNING id`, topic, question, answer, sortKey, now, partnershipID, id).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return access.NotFound("Question")
			}
			if err != nil {
				return fmt.Errorf("programme: save qanda: %w", err)
			}
		}
		return s.record(ctx, tx, p, action, "qanda", id, partnershipID, "saved question and answer")
	})
	return id, err
}

// DeleteQandA removes one of the partnership's questions and answers (or its copy of a default).
// A partnership that deletes every entry shows the service's defaults again.
func (s *Service) DeleteQandA(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID) error {
	if err := s.decide(p, access.QandAEdit, partnershipID, 0, "Partnership"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := s.ownQandA(ctx, tx, partnershipID); err != nil {
			return err
		}
		var gone prevent.ID
		err := tx.QueryRowContext(ctx, `DELETE FROM qanda WHERE partnership_id = $1 AND (id = $2 OR copied_from = $2) RETURNING id`, partnershipID, id).Scan(&gone)
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Question")
		}
		if err != nil {
			return fmt.Errorf("programme: delete qanda: %w", err)
		}
		return s.record(ctx, tx, p, audit.Erase, "qanda", gone, partnershipID, "deleted question and answer")
	})
}
