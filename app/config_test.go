package app

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Config)
		want []string // problem paths, sorted
	}{
		{"defaults", func(*Config) {}, nil},
		{"a known zone", func(c *Config) { c.TimeZone = "Pacific/Auckland" }, nil},
		{"an unknown zone", func(c *Config) { c.TimeZone = "Mars/Olympus_Mons" }, []string{"time_zone"}},
		{"no acknowledgement deadline", func(c *Config) { c.AckWithinHours = 0 }, []string{"ack_within_hours"}},
		{"negative intervals", func(c *Config) { c.UpdateEveryDays, c.UpdatesAfterDays = -7, -1 }, []string{"update_every_days", "updates_after_days"}},
		{"no retention", func(c *Config) { c.ExpungeMonths, c.ExpungeMonthsSanction = 0, 0 }, []string{"expunge_months", "expunge_months_sanction"}},
		{"meeting at 25:00", func(c *Config) { c.MeetingTime = "25:00" }, []string{"meeting_time"}},
		{"meeting at 6pm", func(c *Config) { c.MeetingTime = "6pm" }, []string{"meeting_time"}},
		{"no meeting time", func(c *Config) { c.MeetingTime = "" }, []string{"meeting_time"}},
		{"meeting on day 7", func(c *Config) { c.MeetingWeekday = 7 }, []string{"meeting_weekday"}},
		{"meeting on day -1", func(c *Config) { c.MeetingWeekday = -1 }, []string{"meeting_weekday"}},
		{"meeting on Sunday", func(c *Config) { c.MeetingWeekday = time.Sunday }, nil},
		{"every report anonymous", func(c *Config) { c.Brigade.AnonymousShare = 1 }, []string{"brigade.anonymous_share"}},
		{"negative share", func(c *Config) { c.Brigade.AnonymousShare = -0.1 }, []string{"brigade.anonymous_share"}},
		{"no anonymous share needed", func(c *Config) { c.Brigade.AnonymousShare = 0 }, nil},
		{"similarity above 1", func(c *Config) { c.Brigade.Similarity = 1.5 }, []string{"brigade.similarity"}},
		{"similarity 1", func(c *Config) { c.Brigade.Similarity = 1 }, nil},
		{"brigading window", func(c *Config) { c.Brigade.WindowDays, c.Brigade.MinReports = 0, 0 }, []string{"brigade.min_reports", "brigade.window_days"}},
		{"no auto-lock", func(c *Config) { c.AutoLockMinutes = 0 }, []string{"auto_lock_minutes"}},
		{"no attachments", func(c *Config) { c.MaxAttachmentMiB = 0 }, []string{"max_attachment_mib"}},
		{"attachments too large for the vault", func(c *Config) { c.MaxAttachmentMiB = MaxAttachmentLimitMiB + 1 }, []string{"max_attachment_mib"}},
		{"the largest attachments", func(c *Config) { c.MaxAttachmentMiB = MaxAttachmentLimitMiB }, nil},
		{"a committee name and contact", func(c *Config) {
			c.CommitteeName, c.CommitteeContact = "the Community Working Group", "cwg@example.org"
		}, nil},
		{"a committee name on two lines", func(c *Config) { c.CommitteeName = "the group\nBcc: x@example.org" }, []string{"committee_name"}},
		{"a committee contact too long", func(c *Config) { c.CommitteeContact = strings.Repeat("x", 501) }, []string{"committee_contact"}},
		{"the zero value", func(c *Config) { *c = Config{} }, []string{"ack_within_hours", "auto_lock_minutes", "brigade.min_reports",
			"brigade.similarity", "brigade.window_days", "expunge_months", "expunge_months_sanction", "follow_up_days", "max_attachment_mib", "meeting_time",
			"update_every_days", "updates_after_days", "urgent_report_within_hours"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			var got []string
			for _, p := range c.Validate() {
				got = append(got, p.Path)
				if p.Message == "" {
					t.Errorf("problem at %s has no message", p.Path)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNextMeeting(t *testing.T) {
	wed := wall(berlin, 2026, time.May, 6, 18, 0)
	tests := []struct {
		name string
		cfg  func(c *Config)
		t    time.Time
		want time.Time
	}{
		{"at the meeting", nil, wed, wed},
		{"a moment before", nil, wed.Add(-time.Nanosecond), wed},
		{"a moment after", nil, wed.Add(time.Nanosecond), wall(berlin, 2026, time.May, 13, 18, 0)},
		{"Wednesday morning", nil, wall(berlin, 2026, time.May, 6, 9, 0), wed},
		{"Tuesday night", nil, wall(berlin, 2026, time.May, 5, 23, 59), wed},
		{"Thursday", nil, wall(berlin, 2026, time.May, 7, 10, 0), wall(berlin, 2026, time.May, 13, 18, 0)},
		{"the meeting's instant in UTC", nil, time.Date(2026, time.May, 6, 16, 0, 0, 0, time.UTC), wed},
		{"Wednesday in UTC, Thursday in Berlin", nil, time.Date(2026, time.May, 6, 22, 30, 0, 0, time.UTC), wall(berlin, 2026, time.May, 13, 18, 0)},
		{"before the clocks go back", nil, wall(berlin, 2026, time.October, 24, 12, 0), wall(berlin, 2026, time.October, 28, 18, 0)},
		{"after a meeting, across the change", nil, wall(berlin, 2026, time.October, 21, 18, 30), wall(berlin, 2026, time.October, 28, 18, 0)},
		{"across the spring change", nil, wall(berlin, 2026, time.March, 25, 19, 0), wall(berlin, 2026, time.April, 1, 18, 0)},
		{"on the night of the change", nil, wall(berlin, 2026, time.October, 25, 2, 30), wall(berlin, 2026, time.October, 28, 18, 0)},
		{"a bad meeting time falls back to 18:00", func(c *Config) { c.MeetingTime = "later" }, wall(berlin, 2026, time.May, 4, 9, 0), wed},
		{"Monday mornings in New York, across the change", func(c *Config) {
			c.TimeZone, c.MeetingWeekday, c.MeetingTime = "America/New_York", time.Monday, "09:30"
		}, wall(newYork, 2026, time.November, 1, 0, 30), wall(newYork, 2026, time.November, 2, 9, 30)},
		{"New York, at the meeting after the spring change", func(c *Config) {
			c.TimeZone, c.MeetingWeekday, c.MeetingTime = "America/New_York", time.Monday, "09:30"
		}, wall(newYork, 2026, time.March, 9, 9, 30), wall(newYork, 2026, time.March, 9, 9, 30)},
		{"Tokyo, an hour late", func(c *Config) { c.TimeZone = "Asia/Tokyo" },
			time.Date(2026, time.May, 6, 10, 0, 0, 0, time.UTC), wall(tokyo, 2026, time.May, 13, 18, 0)},
		{"Auckland, across the spring change", func(c *Config) { c.TimeZone = "Pacific/Auckland" },
			wall(auckland, 2026, time.September, 24, 9, 0), wall(auckland, 2026, time.September, 30, 18, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig()
			if tt.cfg != nil {
				tt.cfg(&c)
			}
			if got := c.NextMeeting(tt.t); !got.Equal(tt.want) {
				t.Errorf("NextMeeting(%v): got %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}

// TestNextMeetingProperties checks every 37 minutes over two years in
// four zones: the meeting is at or after t, on the weekday and at the
// time set, and no meeting lies between t and it.
func TestNextMeetingProperties(t *testing.T) {
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Asia/Tokyo", "Pacific/Auckland"} {
		c := DefaultConfig()
		c.TimeZone = name
		loc := c.Location()
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
		end := start.AddDate(2, 0, 0)
		for tm := start; tm.Before(end); tm = tm.Add(37 * time.Minute) {
			m := c.NextMeeting(tm)
			lm := m.In(loc)
			if m.Before(tm) || lm.Weekday() != time.Wednesday || lm.Format("15:04") != "18:00" {
				t.Fatalf("%s: NextMeeting(%v): got %v, want a Wednesday 18:00 at or after it", name, tm, lm)
			}
			prev := time.Date(lm.Year(), lm.Month(), lm.Day()-7, 18, 0, 0, 0, loc)
			if !prev.Before(tm) {
				t.Fatalf("%s: NextMeeting(%v): got %v, but the meeting of %v came first", name, tm, lm, prev)
			}
		}
	}
}

func TestConfigLocation(t *testing.T) {
	tests := []struct {
		zone string
		want *time.Location
	}{
		{"", time.Local},
		{"Mars/Olympus_Mons", time.Local},
		{"Asia/Tokyo", tokyo},
		{"Europe/Berlin", berlin},
	}
	for _, tt := range tests {
		c := DefaultConfig()
		c.TimeZone = tt.zone
		if got := c.Location(); got.String() != tt.want.String() {
			t.Errorf("Location(%q): got %v, want %v", tt.zone, got, tt.want)
		}
		if got := c.Location(); got.String() != tt.want.String() { // cached
			t.Errorf("Location(%q) again: got %v, want %v", tt.zone, got, tt.want)
		}
	}
}

func TestStartOfDayAndAddDays(t *testing.T) {
	c := testConfig()
	tests := []struct {
		t, want time.Time
	}{
		{wall(berlin, 2026, time.May, 6, 15, 0), wall(berlin, 2026, time.May, 6, 0, 0)},
		{time.Date(2026, time.May, 6, 22, 30, 0, 0, time.UTC), wall(berlin, 2026, time.May, 7, 0, 0)},
		{wall(berlin, 2026, time.October, 25, 15, 0), time.Date(2026, time.October, 24, 22, 0, 0, 0, time.UTC)}, // midnight still summer time
		{wall(berlin, 2026, time.March, 29, 15, 0), time.Date(2026, time.March, 28, 23, 0, 0, 0, time.UTC)},     // midnight still winter time
	}
	for _, tt := range tests {
		if got := c.StartOfDay(tt.t); !got.Equal(tt.want) {
			t.Errorf("StartOfDay(%v): got %v, want %v", tt.t, got, tt.want)
		}
	}
	from := wall(berlin, 2026, time.October, 24, 10, 0)
	got := c.addDays(from, 1)
	wantTime(t, "addDays across the change", got, wall(berlin, 2026, time.October, 25, 10, 0))
	if d := got.Sub(from); d != 25*time.Hour {
		t.Errorf("a day across the change: got %v, want 25h", d)
	}
}
