package desktop

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casebook/app"
)

// settingsScreen holds the roster, conflicts of interest, the deadlines,
// the auto-lock time and the theme.
type settingsScreen struct {
	w *workspace

	roster                    *fyne.Container
	newName, newContact       *widget.Entry
	rosterMsg                 *widget.Label
	conflictCase, conflictWho *widget.Select
	conflictKind              *widget.RadioGroup
	conflictReason            *widget.Entry
	conflictMsg               *widget.Label
	numbers                   map[string]*widget.Entry // by config path, numbers and texts
	numberFields              map[string]*field
	meetingDay                *widget.Select
	meetingTime               *widget.Entry
	configMsg                 *widget.Label
	themeChoice               *widget.RadioGroup
	demo                      *widget.Button
	memberIDs, caseCodes      []string
}

func newSettingsScreen(w *workspace) *settingsScreen { return &settingsScreen{w: w} }

// configNumbers are the whole-number settings, with their words.
var configNumbers = []struct {
	path, label string
	get         func(*app.Config) *int
}{
	{"ack_within_hours", "Acknowledge a report within (hours)", func(c *app.Config) *int { return &c.AckWithinHours }},
	{"urgent_report_within_hours", "Report urgent action to the group within (hours)", func(c *app.Config) *int { return &c.UrgentReportWithinHours }},
	{"updates_after_days", "Status updates start when a case is (days old)", func(c *app.Config) *int { return &c.UpdatesAfterDays }},
	{"update_every_days", "Status update every (days)", func(c *app.Config) *int { return &c.UpdateEveryDays }},
	{"follow_up_days", "Follow up after (days)", func(c *app.Config) *int { return &c.FollowUpDays }},
	{"expunge_months", "Keep a closed case that upheld nothing (months)", func(c *app.Config) *int { return &c.ExpungeMonths }},
	{"expunge_months_sanction", "Keep a closed case with a sanction (months)", func(c *app.Config) *int { return &c.ExpungeMonthsSanction }},
	{"auto_lock_minutes", "Lock after this long without use (minutes)", func(c *app.Config) *int { return &c.AutoLockMinutes }},
	{"max_attachment_mib", "Largest e-mail attachment (MiB)", func(c *app.Config) *int { return &c.MaxAttachmentMiB }},
}

// configTexts are the settings written as text, with their words.
var configTexts = []struct {
	path, label, hint string
	get               func(*app.Config) *string
}{
	{"committee_name", "The committee's name in letters", "e.g. the Community Working Group", func(c *app.Config) *string { return &c.CommitteeName }},
	{"committee_contact", "How people reach the committee", "its shared address, never a member's own", func(c *app.Config) *string { return &c.CommitteeContact }},
}

func (s *settingsScreen) build() fyne.CanvasObject {
	s.roster = container.NewVBox()
	s.newName = widget.NewEntry()
	s.newName.SetPlaceHolder("Name")
	s.newContact = widget.NewEntry()
	s.newContact.SetPlaceHolder("Contact (optional)")
	s.rosterMsg = &widget.Label{Wrapping: fyne.TextWrapWord}
	addMember := widget.NewButtonWithIcon("Add to the committee", theme.ContentAddIcon(), s.onAddMember)

	s.conflictCase = widget.NewSelect(nil, nil)
	s.conflictCase.PlaceHolder = "Case"
	s.conflictWho = widget.NewSelect(nil, nil)
	s.conflictWho.PlaceHolder = "Member"
	s.conflictKind = widget.NewRadioGroup([]string{"Hard: may not see the case", "Soft: declared, may take part"}, nil)
	s.conflictKind.SetSelected("Hard: may not see the case")
	s.conflictReason = widget.NewEntry()
	s.conflictReason.SetPlaceHolder("Why, in a few words")
	s.conflictMsg = &widget.Label{Wrapping: fyne.TextWrapWord}
	declare := widget.NewButtonWithIcon("Declare the conflict", theme.WarningIcon(), s.onDeclare)

	s.numbers = map[string]*widget.Entry{}
	s.numberFields = map[string]*field{}
	deadlines := widget.NewForm()
	for _, n := range configNumbers {
		e := widget.NewEntry()
		s.numbers[n.path] = e
		s.numberFields[n.path] = newField(e)
		deadlines.Append(n.label, s.numberFields[n.path].box)
	}
	for _, t := range configTexts {
		e := widget.NewEntry()
		e.SetPlaceHolder(t.hint)
		s.numbers[t.path] = e
		s.numberFields[t.path] = newField(e)
		deadlines.Append(t.label, s.numberFields[t.path].box)
	}
	var days []string
	for d := time.Sunday; d <= time.Saturday; d++ {
		days = append(days, d.String())
	}
	s.meetingDay = widget.NewSelect(days, nil)
	s.meetingTime = widget.NewEntry()
	s.numberFields["meeting_time"] = newField(s.meetingTime)
	deadlines.Append("Weekly meeting", container.NewGridWithColumns(2, s.meetingDay, s.numberFields["meeting_time"].box))
	s.configMsg = &widget.Label{Wrapping: fyne.TextWrapWord}
	save := &widget.Button{Text: "Save the settings", Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: s.onSaveConfig}

	s.themeChoice = widget.NewRadioGroup([]string{"System", "Light", "Dark"}, s.onTheme)
	s.themeChoice.Horizontal = true
	switch themeChoice(s.w.g.app.Preferences().StringWithFallback(themePref, string(themeSystem))) {
	case themeLight:
		s.themeChoice.Selected = "Light"
	case themeDark:
		s.themeChoice.Selected = "Dark"
	default:
		s.themeChoice.Selected = "System"
	}

	s.demo = widget.NewButtonWithIcon(fmt.Sprintf("Fill this vault with %d synthetic cases", demoCases), theme.ContentAddIcon(), s.onDemo)

	s.refresh()
	return container.NewVScroll(container.NewPadded(container.NewVBox(
		widget.NewCard("Committee", "The members, and who uses this vault.", container.NewVBox(
			s.roster,
			container.NewGridWithColumns(3, s.newName, s.newContact, addMember),
			s.rosterMsg)),
		s.keyCard(),
		widget.NewCard("Conflicts of interest", "A member with a hard conflict no longer sees the case here.", container.NewVBox(
			container.NewGridWithColumns(2, s.conflictCase, s.conflictWho),
			s.conflictKind, s.conflictReason, container.NewHBox(declare), s.conflictMsg)),
		widget.NewCard("Deadlines and auto-lock", "", container.NewVBox(deadlines, container.NewHBox(save), s.configMsg)),
		widget.NewCard("Appearance", "", s.themeChoice),
		widget.NewCard("Trying Casebook out", "For a vault of its own, while it holds no case: every person in them is invented.", container.NewHBox(s.demo)),
	)))
}

// refresh reads the roster, the cases and the settings again.
func (s *settingsScreen) refresh() {
	r := s.w.store.Roster()
	s.roster.RemoveAll()
	s.memberIDs = s.memberIDs[:0]
	var names []string
	for _, m := range r.Members {
		status := "active"
		if !m.Active {
			status = "left"
		}
		if m.ID == r.Me {
			status += ", uses this vault"
		}
		key := "no key recorded"
		if m.Key != nil {
			key = "key " + m.Key.Fingerprint()
		}
		if m.ID == r.Me {
			key = "this vault's key"
		}
		row := container.NewBorder(nil, nil, nil, nil, widget.NewLabel(fmt.Sprintf("%s (%s) · %s", m.Name, status, key)))
		if m.ID != r.Me && m.Active {
			m := m
			row = container.NewBorder(nil, nil, nil, widget.NewButton("Key…", func() { s.onSetKey(m) }), row)
		}
		s.roster.Add(row)
		if m.Active {
			s.memberIDs = append(s.memberIDs, m.ID)
		}
	}
	names = memberLabels(r.Active())
	s.conflictWho.SetOptions(names)
	s.caseCodes = s.caseCodes[:0]
	for _, sum := range s.w.store.List("") {
		if sum.Stage != app.StageClosed {
			s.caseCodes = append(s.caseCodes, sum.Code)
		}
	}
	s.conflictCase.SetOptions(s.caseCodes)
	if s.demo != nil {
		if len(s.w.store.List("")) == 0 {
			s.demo.Enable()
		} else {
			s.demo.Disable()
		}
	}

	cfg := s.w.store.Config()
	for _, n := range configNumbers {
		s.numbers[n.path].SetText(strconv.Itoa(*n.get(&cfg)))
	}
	for _, t := range configTexts {
		s.numbers[t.path].SetText(*t.get(&cfg))
	}
	s.meetingDay.SetSelectedIndex(int(cfg.MeetingWeekday))
	s.meetingTime.SetText(cfg.MeetingTime)
}

// onAddMember adds a member to the roster.
func (s *settingsScreen) onAddMember() {
	s.w.g.touch()
	name, contact := strings.TrimSpace(s.newName.Text), strings.TrimSpace(s.newContact.Text)
	var added *app.Member
	err := s.w.store.UpdateRoster(func(r *app.Roster) error {
		m, err := r.Add(name, contact)
		added = m
		return err
	})
	if err != nil {
		s.rosterMsg.SetText(describe(err))
		return
	}
	s.newName.SetText("")
	s.newContact.SetText("")
	s.rosterMsg.SetText(added.Name + " is on the committee now.")
	s.refresh()
}

// onDeclare records a conflict of interest.
func (s *settingsScreen) onDeclare() {
	s.w.g.touch()
	ci, wi := s.conflictCase.SelectedIndex(), s.conflictWho.SelectedIndex()
	if ci < 0 || wi < 0 {
		s.conflictMsg.SetText("Choose the case and the member.")
		return
	}
	kind := app.HardConflict
	if strings.HasPrefix(s.conflictKind.Selected, "Soft") {
		kind = app.SoftConflict
	}
	code := s.caseCodes[ci]
	if _, err := s.w.store.DeclareConflict(code, s.memberIDs[wi], kind, s.conflictReason.Text); err != nil {
		s.conflictMsg.SetText(describe(err))
		return
	}
	s.conflictReason.SetText("")
	s.conflictMsg.SetText(fmt.Sprintf("The conflict on %s is recorded.", code))
	s.w.changed()
	s.refresh()
}

// onSaveConfig checks and stores the deadlines and the auto-lock time.
func (s *settingsScreen) onSaveConfig() {
	s.w.g.touch()
	cfg := s.w.store.Config()
	var problems []app.Problem
	for _, n := range configNumbers {
		v, err := strconv.Atoi(strings.TrimSpace(s.numbers[n.path].Text))
		if err != nil {
			problems = append(problems, app.Problem{Path: n.path, Message: "must be a positive whole number"})
			continue
		}
		*n.get(&cfg) = v
	}
	for _, t := range configTexts {
		*t.get(&cfg) = strings.TrimSpace(s.numbers[t.path].Text)
	}
	cfg.MeetingWeekday = time.Weekday(max(0, s.meetingDay.SelectedIndex()))
	cfg.MeetingTime = strings.TrimSpace(s.meetingTime.Text)
	if len(problems) == 0 {
		problems = cfg.Validate()
	}
	for path, fl := range s.numberFields {
		msg := ""
		for _, p := range problems {
			if p.Path == path {
				msg = sentence(p.Message)
			}
		}
		fl.say(msg)
	}
	if len(problems) > 0 {
		s.configMsg.SetText(fmt.Sprintf("The settings have %s; nothing was saved.", plural(len(problems), "problem")))
		return
	}
	if err := s.w.store.SetConfig(cfg); err != nil {
		s.configMsg.SetText(describe(err))
		return
	}
	s.configMsg.SetText("Saved.")
	s.w.changed()
}

// onTheme applies and remembers the light or dark choice.
func (s *settingsScreen) onTheme(choice string) {
	s.w.g.touch()
	c := themeChoice(strings.ToLower(choice))
	s.w.g.app.Preferences().SetString(themePref, string(c))
	applyTheme(s.w.g.app, c)
}

// demoCases is how many synthetic cases the demo button adds.
const demoCases = 40

// onDemo fills an empty vault with synthetic cases, off the UI goroutine.
func (s *settingsScreen) onDemo() {
	s.w.g.touch()
	g := s.w.g
	g.showDialog(dialog.NewConfirm("Synthetic cases",
		"Add synthetic cases to this vault? Use a vault of its own for trying Casebook out: they would mix with real cases.",
		func(ok bool) {
			if !ok {
				return
			}
			store, cfg, now := s.w.store, s.w.store.Config(), g.opts.Now()
			g.slow("Making synthetic cases…", func() error {
				_, _, err := store.AddDemo(app.DemoOptions{Cases: demoCases, Seed: uint64(now.UnixNano()), Now: now, Config: cfg})
				return err
			}, func(err error) {
				if err != nil {
					g.showError("The synthetic cases were not added", err)
					return
				}
				if g.work == s.w {
					s.w.changed()
					s.refresh()
				}
			})
		}, g.win))
}
