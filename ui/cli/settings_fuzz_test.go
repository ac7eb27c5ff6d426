package cli

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"casebook/app"
)

// FuzzSetSetting feeds `casebook settings set KEY VALUE` with any key and
// value. It may not panic; it refuses with app.ErrInvalid, or gives
// settings that survive the trip through JSON that the vault stores them
// by, and that Validate either passes or names a problem in. Settings
// that pass are used to plan a meeting, which must end.
func FuzzSetSetting(f *testing.F) {
	for _, kv := range [][2]string{
		{"time_zone", "Europe/Berlin"}, {"ack_within_hours", "48"}, {"meeting_weekday", "3"},
		{"meeting_time", "19:30"}, {"brigade.window_days", "21"}, {"max_attachment_mib", "10"},
		{"committee_name", `"the Community Working Group"`}, {"committee_contact", "cwg@example.org"},
		{"brigade.similarity", "1e308"}, {"time_zone", "../../etc/passwd"}, {"brigade", `{"window_days":1}`},
		{"ack_within_hours", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["},
		{"meeting_weekday", "99999999999999999999999999"}, {"committee_name", "\u202eevil\x00"},
	} {
		f.Add(kv[0], kv[1])
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		cfg, err := setSetting(app.DefaultConfig(), key, value)
		if err != nil {
			if !errors.Is(err, app.ErrInvalid) {
				t.Fatalf("an error that is not ErrInvalid: %v", err)
			}
			return
		}
		b, err := json.Marshal(cfg)
		if err != nil {
			t.Fatalf("settings that do not encode: %v", err)
		}
		var again app.Config
		if err := json.Unmarshal(b, &again); err != nil || !reflect.DeepEqual(again, cfg) {
			t.Fatalf("settings that do not read back as they were stored (%v)", err)
		}
		if len(cfg.Validate()) > 0 {
			return
		}
		now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
		if next := cfg.NextMeeting(now); next.Before(now) || next.After(now.AddDate(0, 0, 8)) {
			t.Fatalf("the next meeting after %v is %v", now, next)
		}
	})
}
