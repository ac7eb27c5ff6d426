package app

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Config holds the committee's deadlines and habits. The zero value is not
// useful; start from DefaultConfig.
type Config struct {
	// TimeZone is the committee's IANA time zone, used for dates, the
	// weekly meeting and "today". Empty means the computer's own.
	TimeZone string `json:"time_zone,omitempty"`
	// AckWithinHours is the deadline for acknowledging a report.
	AckWithinHours int `json:"ack_within_hours"`
	// UrgentReportWithinHours is how soon urgent protective action must be
	// reported to the whole group.
	UrgentReportWithinHours int `json:"urgent_report_within_hours"`
	// UpdatesAfterDays is the age from which an open case owes its parties
	// weekly status updates.
	UpdatesAfterDays int `json:"updates_after_days"`
	// UpdateEveryDays is the interval between status updates.
	UpdateEveryDays int `json:"update_every_days"`
	// MeetingWeekday and MeetingTime ("18:00") set the weekly meeting.
	MeetingWeekday time.Weekday `json:"meeting_weekday"`
	MeetingTime    string       `json:"meeting_time"`
	// FollowUpDays is the default delay before a follow-up.
	FollowUpDays int `json:"follow_up_days"`
	// ExpungeMonths is how long a closed case is kept when its outcome
	// upholds nothing; ExpungeMonthsSanction when it imposed something.
	ExpungeMonths         int `json:"expunge_months"`
	ExpungeMonthsSanction int `json:"expunge_months_sanction"`
	// Brigading detection.
	Brigade BrigadeSettings `json:"brigade"`
	// AutoLockMinutes locks the desktop app after this much idle time.
	AutoLockMinutes int `json:"auto_lock_minutes"`
	// MaxAttachmentMiB is the largest attachment an imported e-mail may
	// carry, in MiB; a message with a larger one is refused whole.
	MaxAttachmentMiB int `json:"max_attachment_mib"`
	// CommitteeName is how letters name the committee, such as "the
	// Community Working Group"; empty means "the Code of Conduct
	// committee".
	CommitteeName string `json:"committee_name"`
	// CommitteeContact is how people reach the whole committee, such as
	// its shared address; letters give it when set. Never a member's
	// private contact.
	CommitteeContact string `json:"committee_contact"`
}

// BrigadeSettings are the stored form of the brigading thresholds.
type BrigadeSettings struct {
	WindowDays     int     `json:"window_days"`
	MinReports     int     `json:"min_reports"`
	AnonymousShare float64 `json:"anonymous_share"`
	Similarity     float64 `json:"similarity"`
}

// DefaultConfig returns the defaults the committee starts from.
func DefaultConfig() Config {
	return Config{
		AckWithinHours:          72,
		UrgentReportWithinHours: 24,
		UpdatesAfterDays:        14,
		UpdateEveryDays:         7,
		MeetingWeekday:          time.Wednesday,
		MeetingTime:             "18:00",
		FollowUpDays:            30,
		ExpungeMonths:           12,
		ExpungeMonthsSanction:   36,
		Brigade:                 BrigadeSettings{WindowDays: 14, MinReports: 3, AnonymousShare: 0.5, Similarity: 0.6},
		AutoLockMinutes:         5,
		MaxAttachmentMiB:        DefaultMaxAttachmentMiB,
	}
}

// DefaultMaxAttachmentMiB is the attachment limit a committee starts
// with; MaxAttachmentLimitMiB is the most it may set. The vault keeps an
// attachment as one record, and a record must fit in one 64 MiB file of
// its value log.
const (
	DefaultMaxAttachmentMiB = 25
	MaxAttachmentLimitMiB   = 50
)

// MaxAttachmentBytes is the attachment limit in bytes.
func (c Config) MaxAttachmentBytes() int64 {
	mib := c.MaxAttachmentMiB
	if mib <= 0 {
		mib = DefaultMaxAttachmentMiB
	}
	return int64(mib) << 20
}

// Committee is how letters name the committee.
func (c Config) Committee() string {
	if s := strings.TrimSpace(c.CommitteeName); s != "" {
		return s
	}
	return "the Code of Conduct committee"
}

// Location returns the committee's time zone.
func (c Config) Location() *time.Location {
	if c.TimeZone == "" {
		return time.Local
	}
	if loc, ok := locations.Load(c.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.Local
	}
	locations.Store(c.TimeZone, loc)
	return loc
}

// locations caches loaded time zones: loading one reads a file.
var locations sync.Map

// Validate lists what is wrong with the settings.
func (c Config) Validate() []Problem {
	var ps []Problem
	add := func(path, msg string) { ps = append(ps, Problem{Path: path, Message: msg}) }
	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			add("time_zone", "is not a known time zone")
		}
	}
	positive := map[string]int{
		"ack_within_hours": c.AckWithinHours, "urgent_report_within_hours": c.UrgentReportWithinHours,
		"updates_after_days": c.UpdatesAfterDays, "update_every_days": c.UpdateEveryDays,
		"follow_up_days": c.FollowUpDays, "expunge_months": c.ExpungeMonths,
		"expunge_months_sanction": c.ExpungeMonthsSanction, "auto_lock_minutes": c.AutoLockMinutes,
		"brigade.window_days": c.Brigade.WindowDays, "brigade.min_reports": c.Brigade.MinReports,
	}
	for _, k := range slices.Sorted(maps.Keys(positive)) {
		if top := settingMax(k); positive[k] <= 0 || positive[k] > top {
			add(k, "must be a whole number from 1 to "+thousands(top))
		}
	}
	if _, _, err := c.meetingClock(); err != nil {
		add("meeting_time", "must be a time of day such as 18:00")
	}
	if c.MeetingWeekday < time.Sunday || c.MeetingWeekday > time.Saturday {
		add("meeting_weekday", "must be a day of the week")
	}
	if c.Brigade.AnonymousShare < 0 || c.Brigade.AnonymousShare >= 1 {
		add("brigade.anonymous_share", "must be at least 0 and below 1")
	}
	if c.Brigade.Similarity <= 0 || c.Brigade.Similarity > 1 {
		add("brigade.similarity", "must be above 0 and at most 1")
	}
	if c.MaxAttachmentMiB < 1 || c.MaxAttachmentMiB > MaxAttachmentLimitMiB {
		add("max_attachment_mib", fmt.Sprintf("must be a whole number of MiB from 1 to %d", MaxAttachmentLimitMiB))
	}
	if !isOneLine(c.CommitteeName, maxNameLen) {
		add("committee_name", fmt.Sprintf("must be one line of at most %d characters, without control or text-direction characters", maxNameLen))
	}
	if !isOneLine(c.CommitteeContact, maxContactLen) {
		add("committee_contact", fmt.Sprintf("must be one line of at most %d characters, without control or text-direction characters", maxContactLen))
	}
	return ps
}

// settingMax is the most a whole-number setting may be: a year of hours,
// ten years of days, a hundred years of months, a day of minutes, ten
// thousand reports. Beyond them a deadline would overflow time.Duration
// (2,562,047 hours) or name a date past the year 9999, and no committee
// means them.
func settingMax(key string) int {
	switch {
	case strings.HasSuffix(key, "_hours"):
		return 8760
	case strings.HasSuffix(key, "_days"):
		return 3650
	case strings.HasSuffix(key, "_months") || strings.HasSuffix(key, "_sanction"):
		return 1200
	case strings.HasSuffix(key, "_minutes"):
		return 1440
	default:
		return 10_000
	}
}

// isOneLine reports whether s is valid UTF-8 of at most max characters,
// without line breaks or other control characters, nor text-direction
// controls (IsBidiControl): the committee's name goes into every letter.
func isOneLine(s string, max int) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || IsBidiControl(r) })
}

func (c Config) meetingClock() (hour, minute int, err error) {
	t, err := time.Parse("15:04", c.MeetingTime)
	if err != nil {
		return 0, 0, fmt.Errorf("meeting time: %w", err)
	}
	return t.Hour(), t.Minute(), nil
}

// NextMeeting returns the first weekly meeting at or after t, in the
// committee's time zone. Daylight-saving changes move the meeting with the
// wall clock, as people expect.
func (c Config) NextMeeting(t time.Time) time.Time {
	loc := c.Location()
	h, m, err := c.meetingClock()
	if err != nil {
		h, m = 18, 0
	}
	lt := t.In(loc)
	days := (int(c.MeetingWeekday) - int(lt.Weekday()) + 7) % 7
	meet := time.Date(lt.Year(), lt.Month(), lt.Day()+days, h, m, 0, 0, loc)
	if meet.Before(t) {
		meet = time.Date(lt.Year(), lt.Month(), lt.Day()+days+7, h, m, 0, 0, loc)
	}
	return meet
}

// addDays adds calendar days in the committee's time zone, keeping the
// wall-clock time across daylight-saving changes.
func (c Config) addDays(t time.Time, days int) time.Time {
	return t.In(c.Location()).AddDate(0, 0, days)
}

// StartOfDay returns midnight at the start of t's day in the committee's
// time zone.
func (c Config) StartOfDay(t time.Time) time.Time {
	lt := t.In(c.Location())
	return time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, lt.Location())
}

// BrigadeConfig turns the stored thresholds into detection settings.
func (c Config) BrigadeConfig() BrigadeConfig {
	d := DefaultBrigadeConfig()
	if c.Brigade.WindowDays > 0 {
		d.Window = time.Duration(c.Brigade.WindowDays) * 24 * time.Hour
	}
	if c.Brigade.MinReports > 0 {
		d.MinReports = c.Brigade.MinReports
	}
	if c.Brigade.AnonymousShare > 0 {
		d.AnonymousShare = c.Brigade.AnonymousShare
	}
	if c.Brigade.Similarity > 0 {
		d.Similarity = c.Brigade.Similarity
	}
	return d
}
