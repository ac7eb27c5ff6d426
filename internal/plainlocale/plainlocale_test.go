package plainlocale

import "testing"

func TestApply(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"C.UTF-8", map[string]string{"LANG": "C.UTF-8"}, true},
		{"POSIX with a modifier", map[string]string{"LC_ALL": "POSIX@euro"}, true},
		{"LC_MESSAGES first", map[string]string{"LC_MESSAGES": "C.utf8", "LANG": "de_DE.UTF-8"}, true},
		{"plain C", map[string]string{"LANG": "C"}, false},
		{"a language", map[string]string{"LANG": "fr_FR.UTF-8"}, false},
		{"LC_ALL wins", map[string]string{"LC_ALL": "nl_NL.UTF-8", "LANG": "C.UTF-8"}, false},
		{"LANGUAGE already set", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "es"}, false},
		{"nothing set", map[string]string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			got := apply(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			if got != tt.want {
				t.Fatalf("apply: got %v, want %v", got, tt.want)
			}
			if want := tt.env["LANGUAGE"]; !got && env["LANGUAGE"] != want {
				t.Fatalf("LANGUAGE changed to %q", env["LANGUAGE"])
			}
			if got && env["LANGUAGE"] != "en" {
				t.Fatalf("LANGUAGE = %q, want en", env["LANGUAGE"])
			}
		})
	}
}
