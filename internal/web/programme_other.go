package web

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
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// governanceView is the board's meetings, decisions and action log.
type governanceView struct {
	PID      prevent.ID
	Meetings []programme.Meeting
	Actions  []programme.BoardAction
	CanEdit  bool
}

func (pg *programmePages) handleGovernance(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	v := governanceView{PID: pid, CanEdit: pg.may(r, pid, access.GovernanceEdit)}
	if v.Meetings, err = pg.svc.Meetings(r.Context(), progPrincipal(r), pid); err != nil {
		return err
	}
	if v.Actions, err = pg.svc.Actions(r.Context(), progPrincipal(r), pid); err != nil {
		return err
	}
	l := pg.layout(r, "Governance")
	l.Back = progPath(pid)
	return pg.page(w, r, l, governancePage(l, v))
}

func (pg *programmePages) meetingForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f form) error {
	_, people, err := pg.peopleItems(r, pid, "")
	if err != nil {
		return err
	}
	var items []govuk.ChoiceItem
	for _, p := range people {
		items = append(items, govuk.ChoiceItem{Value: itoa64(p.ID), Text: p.Name + ", " + p.OrganisationName})
	}
	return pg.formPage(w, r, "Record a board meeting", progPath(pid, "governance"), f, func(l layout) templ.Component { return meetingFormPage(l, pid, f, items) })
}

func (pg *programmePages) handleMeetingNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return pg.meetingForm(w, r, pid, progEmptyForm())
}

func (pg *programmePages) handleMeetingNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	d := &progDates{f: f}
	_, err = pg.svc.CreateMeeting(r.Context(), progPrincipal(r), pid, programme.MeetingInput{Title: f.Get("title"),
		HeldOn: d.day("held-on", "Date of the meeting"), Present: formIDs(f.List("present")), Apologies: formIDs(f.List("apologies"))})
	if isInvalid(err) {
		return pg.meetingForm(w, r, pid, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "governance"), "Meeting recorded")
}

func (pg *programmePages) handleDecisionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	if _, err := pg.svc.RecordDecision(r.Context(), progPrincipal(r), pid, id, f.Get("text")); err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "governance")+"#meeting-"+itoa64(id), "Decision recorded")
}

func (pg *programmePages) actionForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f form) error {
	people, _, err := pg.peopleItems(r, pid, "Select who owns the action")
	if err != nil {
		return err
	}
	meetings, err := pg.svc.Meetings(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	mitems := []govuk.SelectItem{{Value: "", Text: "Not from a meeting"}}
	for _, m := range meetings {
		mitems = append(mitems, govuk.SelectItem{Value: itoa64(m.ID), Text: m.Title + ", " + programme.FormatDate(m.HeldOn)})
	}
	return pg.formPage(w, r, "Add an action", progPath(pid, "governance"), f, func(l layout) templ.Component { return actionFormPage(l, pid, f, people, mitems) })
}

func (pg *programmePages) handleActionNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return pg.actionForm(w, r, pid, progEmptyForm())
}

func (pg *programmePages) handleActionNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	d := &progDates{f: f}
	_, err = pg.svc.AddAction(r.Context(), progPrincipal(r), pid, programme.ActionInput{MeetingID: formID(f.Get("meeting")),
		Description: f.Get("description"), OwnerID: formID(f.Get("owner")), DueOn: d.day("due-on", "Due date")})
	if isInvalid(err) {
		return pg.actionForm(w, r, pid, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "governance")+"#actions", "Action added")
}

func (pg *programmePages) handleActionStatus(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	if err := pg.svc.SetActionStatus(r.Context(), progPrincipal(r), pid, id, programme.ActionStatus(f.Get("status"))); err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "governance")+"#actions", "Action updated")
}

func (pg *programmePages) handleBriefing(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	b, err := pg.svc.Briefing(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	l := pg.layout(r, "Briefing for elected members and MPs")
	l.Back = progPath(pid)
	return pg.page(w, r, l, briefingPage(l, b))
}

// trainingView is the courses list with each course's coverage.
type trainingView struct {
	PID      prevent.ID
	Courses  []programme.Course
	Coverage map[prevent.ID][]programme.Coverage
	CanEdit  bool
}

func (pg *programmePages) handleTraining(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	cs, err := pg.svc.Courses(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	v := trainingView{PID: pid, Courses: cs, Coverage: map[prevent.ID][]programme.Coverage{}, CanEdit: pg.may(r, pid, access.TrainingEdit)}
	for _, c := range cs {
		if v.Coverage[c.ID], err = pg.svc.CourseCoverage(r.Context(), progPrincipal(r), pid, c.ID); err != nil {
			return err
		}
	}
	l := pg.layout(r, "Training and awareness")
	l.Back = progPath(pid)
	return pg.page(w, r, l, trainingPage(l, v))
}

func progCourseKindName(kind string) string {
	for _, k := range programme.CourseKinds {
		if k.Kind == kind {
			return k.Name
		}
	}
	return kind
}

func (pg *programmePages) handleCourseNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f := progEmptyForm()
	return pg.formPage(w, r, "Add a course", progPath(pid, "training"), f, func(l layout) templ.Component { return courseFormPage(l, pid, f) })
}

func (pg *programmePages) handleCourseNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	id, err := pg.svc.CreateCourse(r.Context(), progPrincipal(r), pid, f.Get("title"), f.Get("kind"))
	if isInvalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Add a course", progPath(pid, "training"), f, func(l layout) templ.Component { return courseFormPage(l, pid, f) })
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "training", "courses", id), "Course added")
}

// courseView is one course: coverage, and for editors the completions and forms.
type courseView struct {
	PID         prevent.ID
	Course      programme.Course
	Coverage    []programme.Coverage
	Completions []programme.Completion
	CanEdit     bool
	Form        form
	People      []govuk.SelectItem
	Orgs        []govuk.SelectItem
}

func (pg *programmePages) renderCourse(w http.ResponseWriter, r *http.Request, f form) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), progPrincipal(r)
	cs, err := pg.svc.Courses(ctx, p, pid)
	if err != nil {
		return err
	}
	v := courseView{PID: pid, CanEdit: pg.may(r, pid, access.TrainingEdit), Form: f}
	found := false
	for _, c := range cs {
		if c.ID == id {
			v.Course, found = c, true
		}
	}
	if !found {
		return access.NotFound("Course")
	}
	if v.Coverage, err = pg.svc.CourseCoverage(ctx, p, pid, id); err != nil {
		return err
	}
	if v.CanEdit {
		if v.Completions, err = pg.svc.Completions(ctx, p, pid, id); err != nil {
			return err
		}
		if v.People, _, err = pg.peopleItems(r, pid, "Select a person"); err != nil {
			return err
		}
		v.Orgs = []govuk.SelectItem{{Value: "", Text: "Select an organisation"}}
		for _, c := range v.Coverage {
			v.Orgs = append(v.Orgs, govuk.SelectItem{Value: itoa64(c.Organisation.ID), Text: c.Organisation.Name})
		}
	}
	l := pg.layout(r, v.Course.Title)
	l.Back, l.Errors = progPath(pid, "training"), f.Errors
	return pg.page(w, r, l, coursePage(l, v))
}

func (pg *programmePages) handleCourse(w http.ResponseWriter, r *http.Request) error {
	return pg.renderCourse(w, r, progEmptyForm())
}

func (pg *programmePages) handleCompletionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	d := &progDates{f: f}
	_, err = pg.svc.RecordCompletion(r.Context(), progPrincipal(r), pid, id, formID(f.Get("person")), d.day("completed-on", "Date completed"))
	if isInvalid(err) {
		return pg.renderCourse(w, r, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "training", "courses", id), "Completion recorded")
}

func (pg *programmePages) handleTargetPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	target, cerr := strconv.Atoi(f.Get("target"))
	if cerr != nil || target < 0 {
		err = prevent.Validation([]prevent.FieldError{{Field: "target", Message: "Enter the target as a whole number of people"}})
	} else {
		err = pg.svc.SetTarget(r.Context(), progPrincipal(r), pid, id, formID(f.Get("organisation")), target)
	}
	if isInvalid(err) {
		return pg.renderCourse(w, r, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "training", "courses", id), "Target saved")
}

// libraryView is the documents the person's clearance covers.
type libraryView struct {
	PID       prevent.ID
	Documents []programme.Document
	CanEdit   bool
}

func (pg *programmePages) handleLibrary(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	docs, err := pg.svc.Documents(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	l := pg.layout(r, "Resources library")
	l.Back = progPath(pid)
	for _, d := range docs {
		if d.Marking > l.Marking {
			l.Marking = d.Marking
		}
	}
	return pg.page(w, r, l, libraryPage(l, libraryView{PID: pid, Documents: docs, CanEdit: pg.may(r, pid, access.LibraryEdit)}))
}

func progDocumentKindName(kind string) string {
	for _, k := range programme.DocumentKinds {
		if k.Kind == kind {
			return k.Name
		}
	}
	return kind
}

// readUpload parses a multipart upload no larger than the library's limit, returning the form fields and the
// file (when one was chosen).
func progReadUpload(w http.ResponseWriter, r *http.Request) (form, string, []byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, programme.MaxDocumentSize+(64<<10))
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return form{}, "", nil, prevent.Validation([]prevent.FieldError{{Field: "file", Message: "The file must be smaller than 10 MB"}})
		}
		return form{}, "", nil, prevent.Errorf(prevent.Invalid, "The form could not be read. Try again")
	}
	f := form{Values: url.Values(r.MultipartForm.Value)}
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

func (pg *programmePages) handleDocumentNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f := form{Values: url.Values{"marking": {prevent.Official.String()}}}
	return pg.formPage(w, r, "Add a document", progPath(pid, "library"), f, func(l layout) templ.Component { return documentFormPage(l, pid, f) })
}

func (pg *programmePages) handleDocumentNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, name, content, err := progReadUpload(w, r)
	if f.Values == nil {
		f = progEmptyForm()
	}
	d := &progDates{f: f}
	if err == nil {
		var id prevent.ID
		id, err = pg.svc.Upload(r.Context(), progPrincipal(r), pid, programme.DocumentInput{Title: f.Get("title"), Kind: f.Get("kind"),
			Marking: f.Get("marking"), Originator: f.Get("originator"), Audience: f.Get("audience"), ReviewOn: d.day("review-on", "Review date"),
			Filename: name, Content: content})
		if err == nil {
			return pg.flash(w, r, progPath(pid, "library", id), "Document added")
		}
	}
	if isInvalid(err) {
		f = d.withErr(err)
		return pg.formPage(w, r, "Add a document", progPath(pid, "library"), f, func(l layout) templ.Component { return documentFormPage(l, pid, f) })
	}
	return err
}

// documentView is one library document with its versions.
type documentView struct {
	PID      prevent.ID
	Document programme.Document
	CanEdit  bool
	Form     form
}

func (pg *programmePages) renderDocument(w http.ResponseWriter, r *http.Request, f form) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	d, err := pg.svc.Document(r.Context(), progPrincipal(r), pid, id)
	if err != nil {
		return err
	}
	l := pg.layout(r, d.Title)
	l.Back, l.Marking, l.Errors = progPath(pid, "library"), d.Marking, f.Errors
	return pg.page(w, r, l, documentPage(l, documentView{PID: pid, Document: d, CanEdit: pg.may(r, pid, access.LibraryEdit), Form: f}))
}

func (pg *programmePages) handleDocument(w http.ResponseWriter, r *http.Request) error {
	return pg.renderDocument(w, r, progEmptyForm())
}

func (pg *programmePages) handleDownload(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	d, err := pg.svc.Document(r.Context(), progPrincipal(r), pid, id)
	if err != nil {
		return err
	}
	file, err := pg.svc.Content(r.Context(), progPrincipal(r), pid, id, progAtoi(r.URL.Query().Get("version"), 0))
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

func (pg *programmePages) handleVersionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, name, content, err := progReadUpload(w, r)
	if err == nil {
		_, err = pg.svc.AddVersion(r.Context(), progPrincipal(r), pid, id, name, content)
	}
	if isInvalid(err) {
		if f.Values == nil {
			f = progEmptyForm()
		}
		return pg.renderDocument(w, r, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "library", id), "New version uploaded")
}

func (pg *programmePages) handlePublicQandA(w http.ResponseWriter, r *http.Request) error {
	pid := formID(r.URL.Query().Get("partnership"))
	if pid == 0 {
		if ps := progPrincipal(r).Partnerships(); len(ps) > 0 {
			pid = ps[0]
		}
	}
	qs, err := pg.svc.PublicQandA(r.Context(), pid)
	if err != nil {
		return err
	}
	l := pg.layout(r, "Prevent: questions and answers")
	return pg.page(w, r, l, publicQandAPage(l, qs))
}

func (pg *programmePages) handleQandAEditor(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	qs, err := pg.svc.PublicQandA(r.Context(), pid)
	if err != nil {
		return err
	}
	l := pg.layout(r, "Questions and answers")
	l.Back = progPath(pid)
	return pg.page(w, r, l, qandaEditorPage(l, pid, qs))
}

func (pg *programmePages) handleQandANew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f := progEmptyForm()
	return pg.formPage(w, r, "Add a question", progPath(pid, "questions-and-answers"), f, func(l layout) templ.Component { return qandaFormPage(l, pid, 0, f) })
}

func (pg *programmePages) handleQandAEdit(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	qs, err := pg.svc.PublicQandA(r.Context(), pid)
	if err != nil {
		return err
	}
	for _, q := range qs {
		if q.ID == id {
			f := form{Values: url.Values{"topic": {q.Topic}, "question": {q.Question}, "answer": {q.Answer}, "sort": {strconv.Itoa(q.Sort)}}}
			return pg.formPage(w, r, "Change a question", progPath(pid, "questions-and-answers"), f, func(l layout) templ.Component { return qandaFormPage(l, pid, id, f) })
		}
	}
	return access.NotFound("Question")
}

func (pg *programmePages) handleQandASave(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	var id prevent.ID
	if r.PathValue("id") != "" {
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	_, err = pg.svc.SaveQandA(r.Context(), progPrincipal(r), pid, id, programme.QandAInput{Topic: f.Get("topic"), Question: f.Get("question"),
		Answer: f.Values.Get("answer"), Sort: f.Get("sort")})
	if isInvalid(err) {
		f = f.WithErr(err)
		title := "Add a question"
		if id != 0 {
			title = "Change a question"
		}
		return pg.formPage(w, r, title, progPath(pid, "questions-and-answers"), f, func(l layout) templ.Component { return qandaFormPage(l, pid, id, f) })
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "questions-and-answers"), "Questions and answers saved")
}

func (pg *programmePages) handleQandADelete(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	if err := pg.svc.DeleteQandA(r.Context(), progPrincipal(r), pid, id); err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "questions-and-answers"), "Question removed")
}
