package cli

import (
	"strings"
	"testing"

	"casebook/internal/faultlog"
)

// TestFaultSettingsMalformed sets each setting to hostile values through
// `casebook settings set`: each is refused with a few lines naming the
// setting and quoting nothing of the value, and the settings stay as they
// were.
func TestFaultSettingsMalformed(t *testing.T) {
	e := newCaseEnv(t)
	before := e.ok("settings")
	tl := faultlog.Track(t, "input", "malformed settings: deep nesting, huge numbers, wrong types, NUL, RTL, 1 MB values, unknown keys",
		"each refused, naming the setting and quoting nothing of the value; the settings unchanged")
	for _, tc := range []struct{ key, value, want string }{
		{"ack_within_hours", strings.Repeat("[", 100_000), "Ack_within_hours takes a value of another kind"},
		{"ack_within_hours", "1e999999", "Ack_within_hours takes a value of another kind"},
		{"ack_within_hours", "99999999999999999999", "Ack_within_hours takes a value of another kind"},
		{"ack_within_hours", "2562048", "ack_within_hours: must be a whole number from 1 to 8,760"},
		{"ack_within_hours", "0", "ack_within_hours: must be a whole number from 1 to 8,760"},
		{"ack_within_hours", "4.5", "Ack_within_hours takes a value of another kind"},
		{"expunge_months", "1000000", "expunge_months: must be a whole number from 1 to 1,200"},
		{"auto_lock_minutes", "9223372036854775807", "Auto_lock_minutes takes a value of another kind"},
		{"auto_lock_minutes", "1441", "auto_lock_minutes: must be a whole number from 1 to 1,440"},
		{"brigade", `{"window_days":1}`, "brigade.min_reports: must be a whole number from 1 to 10,000"},
		{"brigade.similarity", "NaN", "Brigade.similarity takes a value of another kind"},
		{"brigade.anonymous_share", "1e308", "brigade.anonymous_share: must be at least 0 and below 1"},
		{"meeting_weekday", "7", "meeting_weekday: must be a day of the week"},
		{"meeting_time", "25:61", "meeting_time: must be a time of day"},
		{"time_zone", "../../../../etc/passwd", "time_zone: is not a known time zone"},
		{"time_zone", "Europe/Berlin\x00", "time_zone: is not a known time zone"},
		{"committee_name", "the Community\x00Working Group", "committee_name: must be one line"},
		{"committee_name", "the \u202epuorG gnikroW", "committee_name: must be one line of at most 200 characters, without control or text-direction characters"},
		{"committee_name", strings.Repeat("Synthetic ", 100_000), "committee_name: must be one line of at most"},
		{"committee_contact", "a\nb", "committee_contact: must be one line"},
		{"max_attachment_mib", "51", "max_attachment_mib: must be a whole number of MiB from 1 to 50"},
		{"no_such_setting", "1", "There is no setting"},
		{"brigade..window_days", "1", "There is no setting"},
		{"", "1", "There is no setting"},
	} {
		tl.Run()
		r := e.run("settings", "set", tc.key, tc.value)
		if r.code != ExitError || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("settings set %.40q %.40q: got exit %d %.300q, want %q", tc.key, tc.value, r.code, r.stderr, tc.want)
		}
		if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n > 3 || len(r.stderr) > 500 {
			t.Errorf("settings set %.40q: the error is not a few short lines: %.300q", tc.key, r.stderr)
		}
		if strings.Contains(r.stderr, "Synthetic Synthetic") {
			t.Errorf("the error quotes the value")
		}
	}
	if after := e.ok("settings"); after != before {
		t.Errorf("the settings changed:\n%s\nwant\n%s", after, before)
	}
}
