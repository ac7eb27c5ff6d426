package desktop

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
)

// receivedLayout is how the form shows and reads the time a report came.
const receivedLayout = "2006-01-02 15:04"

// Reporter choices of the intake form.
const (
	reporterIdentified = "Identified"
	reporterAnonymous  = "Anonymous"
	reporterNone       = "No reporter"
)

// Words for the channels and the roles of people involved.
var (
	channelWords = map[app.Channel]string{app.ChannelForm: "Report form", app.ChannelEmail: "E-mail",
		app.ChannelChat: "Chat", app.ChannelInPerson: "In person", app.ChannelOther: "Other"}
	roleWords = map[app.Role]string{app.RoleReported: "Reported person", app.RoleWitness: "Witness", app.RoleOther: "Other"}
	roles     = []app.Role{app.RoleReported, app.RoleWitness, app.RoleOther}
)

// field is an input with the line beneath it where its problem shows.
type field struct {
	problem *widget.Label
	box     *fyne.Container
}

func newField(input fyne.CanvasObject) *field {
	f := &field{problem: &widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord}}
	f.problem.Hide()
	f.box = container.NewVBox(input, f.problem)
	return f
}

// say shows msg beneath the input, or hides the line when msg is empty.
func (f *field) say(msg string) {
	f.problem.SetText(msg)
	if msg == "" {
		f.problem.Hide()
	} else {
		f.problem.Show()
	}
	f.box.Refresh()
}

// personRow is one person involved, besides the reporter.
type personRow struct {
	name, handle, contact *widget.Entry
	role                  *widget.Select
	member                *widget.Check
	fields                map[string]*field // by the last part of the path
}

// evidenceRow is one piece of evidence.
type evidenceRow struct {
	url, note *widget.Entry
	fields    map[string]*field
}

// intakeForm is the new-report form, with the same fields as the intake
// file of 'casebook case new' (docs/intake.md). Problems show beside their
// fields; a report is filed only when it has none.
type intakeForm struct {
	w *workspace

	received, summary, description, when, where, prior *widget.Entry
	channel, category                                  *widget.Select
	reporter                                           *widget.RadioGroup
	rName, rPseudonym, rContact, rRelation             *widget.Entry
	reporterBox                                        *fyne.Container
	ongoing, recordOnly, urgent                        *widget.Check
	people                                             []*personRow
	evidence                                           []*evidenceRow
	peopleBox, evidenceBox                             *fyne.Container
	notice, general                                    *widget.Label
	file                                               *widget.Button

	fields map[string]*field // by path, as app.Problem names them
}

func newIntakeForm(w *workspace) *intakeForm { return &intakeForm{w: w} }

// entry makes a single-line entry that counts as activity.
func (f *intakeForm) entry(placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(placeholder)
	e.OnChanged = func(string) { f.w.g.touch() }
	return e
}

func (f *intakeForm) multiline(placeholder string) *widget.Entry {
	e := f.entry(placeholder)
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(3)
	return e
}

func (f *intakeForm) build() fyne.CanvasObject {
	f.fields = map[string]*field{}
	f.received = f.entry(receivedLayout)
	f.received.SetText(f.w.g.opts.Now().In(f.w.store.Config().Location()).Format(receivedLayout))
	var chans []string
	for _, c := range app.Channels {
		chans = append(chans, channelWords[c])
	}
	f.channel = widget.NewSelect(chans, func(string) { f.w.g.touch() })
	var cats []string
	for _, k := range append([]app.Category{""}, app.Categories...) {
		cats = append(cats, k.Title())
	}
	f.category = widget.NewSelect(cats, func(string) { f.w.g.touch() })
	f.category.SetSelectedIndex(0)
	f.summary = f.entry("One line: what happened, without names")
	f.description = f.multiline("What the reporter says happened")
	f.when = f.entry("When it happened, in the reporter's words")
	f.where = f.entry("Where: an event, a channel, an issue queue")
	f.prior = f.multiline("What has been tried already, if anything")
	f.rName = f.entry("The reporter's name")
	f.rPseudonym = f.entry("What to call the anonymous reporter (optional)")
	f.rContact = f.entry("How to reach them (optional for anonymous reports)")
	f.rRelation = f.entry("Their part in the matter (optional)")
	f.reporterBox = container.NewVBox()
	f.reporter = widget.NewRadioGroup([]string{reporterIdentified, reporterAnonymous, reporterNone}, f.onReporterKind)
	f.reporter.Horizontal = true
	f.ongoing = widget.NewCheck("It is still going on", func(bool) { f.w.g.touch() })
	f.recordOnly = widget.NewCheck("For the record only: the reporter asks for no action", func(bool) { f.w.g.touch() })
	f.urgent = widget.NewCheck("Urgent: someone may be in danger", func(bool) { f.w.g.touch() })
	f.peopleBox = container.NewVBox()
	f.evidenceBox = container.NewVBox()
	f.notice = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.HighImportance}
	f.general = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	f.file = &widget.Button{Text: "File the report", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: f.onFile}

	form := widget.NewForm(
		f.item("Received", "received", f.received),
		f.item("Channel", "channel", f.channel),
		f.item("Summary", "summary", f.summary),
		f.item("Kind of behaviour", "category", f.category),
		f.item("Description", "description", f.description),
		f.item("When", "when", f.when),
		f.item("Where", "where", f.where),
		widget.NewFormItem("Reporter", f.reporter),
		widget.NewFormItem("", f.reporterBox),
		f.item("Tried before", "prior_attempts", f.prior),
		widget.NewFormItem("", container.NewVBox(f.ongoing, f.recordOnly, f.urgent)),
	)
	f.reporter.SetSelected(reporterIdentified)
	addPerson := widget.NewButtonWithIcon("Add a person", theme.ContentAddIcon(), func() { f.w.g.touch(); f.addPerson(); f.layoutRows() })
	addEvidence := widget.NewButtonWithIcon("Add evidence", theme.ContentAddIcon(), func() { f.w.g.touch(); f.addEvidence(); f.layoutRows() })
	f.layoutRows()
	body := container.NewVBox(
		f.notice,
		form,
		widget.NewCard("People involved", "Besides the reporter: the reported person, witnesses, others.",
			container.NewVBox(f.peopleBox, container.NewHBox(addPerson))),
		widget.NewCard("Evidence", "Links, or a note saying what the evidence is and where it is kept.",
			container.NewVBox(f.evidenceBox, container.NewHBox(addEvidence))),
		f.general,
		container.NewHBox(f.file),
	)
	return container.NewVScroll(container.NewPadded(body))
}

// item is a form item whose problems show beneath it.
func (f *intakeForm) item(label, path string, input fyne.CanvasObject) *widget.FormItem {
	fl := newField(input)
	f.fields[path] = fl
	return widget.NewFormItem(label, fl.box)
}

// onReporterKind shows the reporter fields that fit the choice.
func (f *intakeForm) onReporterKind(kind string) {
	f.w.g.touch()
	f.reporterBox.RemoveAll()
	add := func(label, path string, e *widget.Entry) {
		fl := newField(e)
		f.fields[path] = fl
		f.reporterBox.Add(container.NewBorder(nil, nil, widget.NewLabel(label), nil, fl.box))
	}
	switch kind {
	case reporterIdentified:
		add("Name", "reporter.name", f.rName)
		add("Contact", "reporter.contact", f.rContact)
		add("Relationship", "reporter.relationship", f.rRelation)
	case reporterAnonymous:
		add("Pseudonym", "reporter.pseudonym", f.rPseudonym)
		add("Contact", "reporter.contact", f.rContact)
		add("Relationship", "reporter.relationship", f.rRelation)
	default:
		f.reporterBox.Add(&widget.Label{Text: "No reporter: the committee noticed the matter itself, or it came to it second-hand.", Wrapping: fyne.TextWrapWord})
	}
	f.reporterBox.Refresh()
}

func (f *intakeForm) addPerson() *personRow {
	r := &personRow{name: f.entry("Name"), handle: f.entry("Handle"), contact: f.entry("Contact")}
	var roleNames []string
	for _, ro := range roles {
		roleNames = append(roleNames, roleWords[ro])
	}
	r.role = widget.NewSelect(roleNames, func(string) { f.w.g.touch() })
	r.role.PlaceHolder = "Role"
	r.member = widget.NewCheck("Committee member", func(bool) { f.w.g.touch() })
	f.people = append(f.people, r)
	return r
}

func (f *intakeForm) addEvidence() *evidenceRow {
	r := &evidenceRow{url: f.entry("https://…"), note: f.entry("What it shows")}
	f.evidence = append(f.evidence, r)
	return r
}

// layoutRows lays out the people and evidence rows again, with their
// problem lines under the paths their positions give them.
func (f *intakeForm) layoutRows() {
	for path := range f.fields {
		if strings.HasPrefix(path, "people[") || strings.HasPrefix(path, "evidence[") {
			delete(f.fields, path)
		}
	}
	f.peopleBox.RemoveAll()
	for i, r := range f.people {
		at := "people[" + strconv.Itoa(i) + "]."
		r.fields = map[string]*field{}
		for _, part := range []struct {
			name  string
			input fyne.CanvasObject
		}{{"name", r.name}, {"handle", r.handle}, {"contact", r.contact}, {"role", r.role}} {
			r.fields[part.name] = newField(part.input)
			f.fields[at+part.name] = r.fields[part.name]
		}
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { f.w.g.touch(); f.removePerson(r) })
		row := container.NewGridWithColumns(4, r.fields["name"].box, r.fields["handle"].box, r.fields["contact"].box, r.fields["role"].box)
		f.peopleBox.Add(container.NewBorder(nil, nil, nil, container.NewHBox(r.member, remove), row))
	}
	f.evidenceBox.RemoveAll()
	for i, r := range f.evidence {
		at := "evidence[" + strconv.Itoa(i) + "]."
		r.fields = map[string]*field{"url": newField(r.url), "note": newField(r.note)}
		f.fields[at+"url"], f.fields[at+"note"] = r.fields["url"], r.fields["note"]
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { f.w.g.touch(); f.removeEvidence(r) })
		f.evidenceBox.Add(container.NewBorder(nil, nil, nil, remove, container.NewGridWithColumns(2, r.fields["url"].box, r.fields["note"].box)))
	}
	f.peopleBox.Refresh()
	f.evidenceBox.Refresh()
}

func (f *intakeForm) removePerson(r *personRow) {
	for i, x := range f.people {
		if x == r {
			f.people = append(f.people[:i], f.people[i+1:]...)
		}
	}
	f.layoutRows()
}

func (f *intakeForm) removeEvidence(r *evidenceRow) {
	for i, x := range f.evidence {
		if x == r {
			f.evidence = append(f.evidence[:i], f.evidence[i+1:]...)
		}
	}
	f.layoutRows()
}

// intake reads the form into an intake, with the problems the form itself
// finds (a date it cannot read).
func (f *intakeForm) intake() (*app.Intake, []app.Problem) {
	var problems []app.Problem
	in := &app.Intake{
		Summary: f.summary.Text, Description: f.description.Text, When: f.when.Text, Where: f.where.Text,
		PriorAttempts: f.prior.Text, Ongoing: f.ongoing.Checked, RecordOnly: f.recordOnly.Checked, Urgent: f.urgent.Checked,
	}
	if t, err := time.ParseInLocation(receivedLayout, strings.TrimSpace(f.received.Text), f.w.store.Config().Location()); err == nil {
		in.Received = t
	} else if strings.TrimSpace(f.received.Text) != "" {
		problems = append(problems, app.Problem{Path: "received", Message: "write the date and time as " + receivedLayout + ", like 2026-03-16 14:30"})
	}
	if i := f.channel.SelectedIndex(); i >= 0 {
		in.Channel = app.Channels[i]
	}
	if i := f.category.SelectedIndex(); i > 0 {
		in.Category = app.Categories[i-1]
	}
	switch f.reporter.Selected {
	case reporterIdentified:
		in.Reporter = &app.IntakeReporter{Name: f.rName.Text, Contact: f.rContact.Text, Relationship: f.rRelation.Text}
	case reporterAnonymous:
		in.Reporter = &app.IntakeReporter{Anonymous: true, Pseudonym: f.rPseudonym.Text, Contact: f.rContact.Text, Relationship: f.rRelation.Text}
	}
	for _, r := range f.people {
		p := app.IntakePerson{Name: r.name.Text, Handle: r.handle.Text, Contact: r.contact.Text, CommitteeMember: r.member.Checked}
		if i := r.role.SelectedIndex(); i >= 0 {
			p.Role = roles[i]
		}
		in.People = append(in.People, p)
	}
	for _, r := range f.evidence {
		in.Evidence = append(in.Evidence, app.IntakeEvidence{URL: strings.TrimSpace(r.url.Text), Note: r.note.Text})
	}
	return in, problems
}

// showProblems puts each problem beside its field; problems of no field
// shown on the form go above the button.
func (f *intakeForm) showProblems(problems []app.Problem) {
	byPath := map[string][]string{}
	var general []string
	for _, p := range problems {
		if _, ok := f.fields[p.Path]; ok {
			byPath[p.Path] = append(byPath[p.Path], sentence(p.Message))
		} else if p.Path != "" {
			general = append(general, sentence(fieldWords(p.Path)+": "+p.Message))
		} else {
			general = append(general, sentence(p.Message))
		}
	}
	for path, fl := range f.fields {
		fl.say(strings.Join(byPath[path], " "))
	}
	switch {
	case len(problems) == 0:
		f.general.SetText("")
	case len(general) > 0:
		f.general.SetText(fmt.Sprintf("The report has %s; nothing was filed. %s", plural(len(problems), "problem"), strings.Join(general, " ")))
	default:
		f.general.SetText(fmt.Sprintf("The report has %s, shown beside the fields; nothing was filed.", plural(len(problems), "problem")))
	}
}

// fieldWords names a field path in words.
func fieldWords(path string) string {
	return strings.NewReplacer("_", " ", ".", " ", "[", " ", "]", "").Replace(path)
}

// onFile validates the report and files it.
func (f *intakeForm) onFile() {
	f.w.g.touch()
	in, problems := f.intake()
	for _, p := range in.Validate() {
		if p.Path == "received" && len(problems) > 0 {
			continue // the form already says the date cannot be read
		}
		problems = append(problems, p)
	}
	f.showProblems(problems)
	if len(problems) > 0 {
		return
	}
	c, err := f.w.store.NewCase(in)
	var invalid *app.InvalidError
	if errors.As(err, &invalid) {
		// What only the store can check: a committee member it cannot
		// find on the roster.
		f.showProblems(invalid.Problems)
		return
	}
	if err != nil {
		f.w.g.showError("The report was not filed", err)
		return
	}
	if err := f.w.store.DeleteDraft(draftNewReport); err != nil {
		f.w.g.log.Warn("deleting the draft", "err", logSafe(err))
	}
	f.reset()
	f.w.changed()
	if f.w.store.IsShutOut(c.Code) {
		// A report about the member filing it: the committee must have
		// it, and Casebook shows them nothing of it.
		f.w.sendToMembers(c.Code, fmt.Sprintf("The report is filed as %s, and it is about you, so you are shut out of it: "+
			"Casebook shows you nothing of it. Send it to the committee now; until you do, it stays on This week.", c.Code))
		return
	}
	f.w.g.info("Report filed", fmt.Sprintf("The report is filed as %s. Acknowledge it to the reporter within the committee's deadline; it is on the due list.", c.Code))
	f.w.openCase(c.Code, nil)
}

// reset empties the form for the next report.
func (f *intakeForm) reset() {
	for _, e := range []*widget.Entry{f.summary, f.description, f.when, f.where, f.prior, f.rName, f.rPseudonym, f.rContact, f.rRelation} {
		e.SetText("")
	}
	f.received.SetText(f.w.g.opts.Now().In(f.w.store.Config().Location()).Format(receivedLayout))
	f.channel.ClearSelected()
	f.category.SetSelectedIndex(0)
	f.reporter.SetSelected(reporterIdentified)
	f.ongoing.SetChecked(false)
	f.recordOnly.SetChecked(false)
	f.urgent.SetChecked(false)
	f.people, f.evidence = nil, nil
	f.layoutRows()
	f.notice.SetText("")
	f.showProblems(nil)
}

// formDraft is the form's content, kept in the vault while it is locked.
type formDraft struct {
	Received     string               `json:"received"`
	Channel      int                  `json:"channel"`
	Category     int                  `json:"category"`
	Summary      string               `json:"summary"`
	Description  string               `json:"description"`
	When         string               `json:"when"`
	Where        string               `json:"where"`
	Prior        string               `json:"prior"`
	Reporter     string               `json:"reporter"`
	Name         string               `json:"name"`
	Pseudonym    string               `json:"pseudonym"`
	Contact      string               `json:"contact"`
	Relationship string               `json:"relationship"`
	Ongoing      bool                 `json:"ongoing"`
	RecordOnly   bool                 `json:"record_only"`
	Urgent       bool                 `json:"urgent"`
	People       []personDraft        `json:"people"`
	Evidence     []app.IntakeEvidence `json:"evidence"`
}

type personDraft struct {
	Name, Handle, Contact string
	Role                  int
	Member                bool
}

// draft returns the form's content, and false when nothing was typed.
func (f *intakeForm) draft() ([]byte, bool) {
	d := formDraft{Received: f.received.Text, Channel: f.channel.SelectedIndex(), Category: f.category.SelectedIndex(), Summary: f.summary.Text,
		Description: f.description.Text, When: f.when.Text, Where: f.where.Text, Prior: f.prior.Text,
		Reporter: f.reporter.Selected, Name: f.rName.Text, Pseudonym: f.rPseudonym.Text, Contact: f.rContact.Text,
		Relationship: f.rRelation.Text, Ongoing: f.ongoing.Checked, RecordOnly: f.recordOnly.Checked, Urgent: f.urgent.Checked}
	typed := d.Summary + d.Description + d.When + d.Where + d.Prior + d.Name + d.Pseudonym + d.Contact + d.Relationship
	for _, r := range f.people {
		d.People = append(d.People, personDraft{r.name.Text, r.handle.Text, r.contact.Text, r.role.SelectedIndex(), r.member.Checked})
		typed += r.name.Text + r.handle.Text + r.contact.Text
	}
	for _, r := range f.evidence {
		d.Evidence = append(d.Evidence, app.IntakeEvidence{URL: r.url.Text, Note: r.note.Text})
		typed += r.url.Text + r.note.Text
	}
	if strings.TrimSpace(typed) == "" {
		return nil, false
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, false
	}
	return b, true
}

// restore fills the form from a draft.
func (f *intakeForm) restore(data []byte) error {
	var d formDraft
	if err := json.Unmarshal(data, &d); err != nil {
		return fmt.Errorf("read the draft: %w", err)
	}
	f.received.SetText(d.Received)
	if d.Channel >= 0 && d.Channel < len(app.Channels) {
		f.channel.SetSelectedIndex(d.Channel)
	}
	if d.Category >= 0 && d.Category <= len(app.Categories) {
		f.category.SetSelectedIndex(d.Category)
	}
	f.summary.SetText(d.Summary)
	f.description.SetText(d.Description)
	f.when.SetText(d.When)
	f.where.SetText(d.Where)
	f.prior.SetText(d.Prior)
	f.rName.SetText(d.Name)
	f.rPseudonym.SetText(d.Pseudonym)
	f.rContact.SetText(d.Contact)
	f.rRelation.SetText(d.Relationship)
	if d.Reporter != "" {
		f.reporter.SetSelected(d.Reporter)
	}
	f.ongoing.SetChecked(d.Ongoing)
	f.recordOnly.SetChecked(d.RecordOnly)
	f.urgent.SetChecked(d.Urgent)
	f.people, f.evidence = nil, nil
	for _, p := range d.People {
		r := f.addPerson()
		r.name.SetText(p.Name)
		r.handle.SetText(p.Handle)
		r.contact.SetText(p.Contact)
		if p.Role >= 0 && p.Role < len(roles) {
			r.role.SetSelectedIndex(p.Role)
		}
		r.member.SetChecked(p.Member)
	}
	for _, e := range d.Evidence {
		r := f.addEvidence()
		r.url.SetText(e.URL)
		r.note.SetText(e.Note)
	}
	f.layoutRows()
	return nil
}
