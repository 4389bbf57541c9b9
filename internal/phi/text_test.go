package phi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const secretName = "Dolores Abernathy"

type record struct {
	Name Text
	DOB  Date
	name Text // unexported: fmt cannot call its methods
	dob  Date
}

func MustDate(tb testing.TB, s string) Date {
	tb.Helper()
	d, err := ParseDate(s)
	if err != nil {
		tb.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func TestTextFormatNeverShowsValue(t *testing.T) {
	dob := MustDate(t, "1961-04-27")
	txt := NewText(secretName)
	rec := record{Name: txt, DOB: dob, name: txt, dob: dob}
	values := map[string]any{
		"Text": txt, "*Text": &txt, "Date": dob, "record": rec, "*record": &rec,
		"slice": []Text{txt}, "map": map[string]Text{"k": txt},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%T"}
	for name, v := range values {
		for _, verb := range verbs {
			t.Run(name+verb, func(t *testing.T) {
				got := fmt.Sprintf(verb, v)
				if strings.Contains(got, "Dolores") || strings.Contains(got, "1961-04") {
					t.Errorf("Sprintf(%s) = %q, shows the value", verb, got)
				}
				if strings.Contains(strings.ToLower(got), "446f6c6f") { // hex of "Dolo"
					t.Errorf("Sprintf(%s) = %q, shows the value in hex", verb, got)
				}
			})
		}
	}
	if got, want := fmt.Sprint(txt), Redacted; got != want {
		t.Errorf("Sprint(Text) = %q, want %q", got, want)
	}
}

func TestTextSlogNeverShowsValue(t *testing.T) {
	txt := NewText(secretName)
	dob := MustDate(t, "1961-04-27")
	tests := []struct {
		name    string
		handler func(*bytes.Buffer) slog.Handler
	}{
		{"text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
		{"json", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(tt.handler(&buf))
			log.Info("patient", "name", txt, "dob", dob, "ptr", &txt,
				"rec", record{Name: txt, name: txt}, slog.Group("g", "n", txt))
			log.Info("any", slog.Any("name", txt))
			got := buf.String()
			if strings.Contains(got, "Dolores") || strings.Contains(got, "1961-04") {
				t.Errorf("log output shows the value:\n%s", got)
			}
			if !strings.Contains(got, Redacted) {
				t.Errorf("log output lacks %s:\n%s", Redacted, got)
			}
		})
	}
}

func TestTextJSON(t *testing.T) {
	rec := record{Name: NewText(secretName), DOB: MustDate(t, "1961-04-27")}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"Name":"[REDACTED]","DOB":"[REDACTED]"}`; got != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
	var back struct{ Name Text }
	if err := json.Unmarshal([]byte(`{"Name":"x"}`), &back); err == nil {
		t.Errorf("json.Unmarshal into Text succeeded; want an error (no Unmarshaler)")
	}
}

func TestTextReveal(t *testing.T) {
	var zero Text
	if got := zero.Reveal(); got != "" || !zero.IsZero() {
		t.Errorf("zero Text Reveal = %q, IsZero = %v", got, zero.IsZero())
	}
	if got := NewText(secretName).Reveal(); got != secretName {
		t.Errorf("Reveal = %q, want %q", got, secretName)
	}
	if !NewText("a").Equal(NewText("a")) || NewText("a").Equal(NewText("b")) {
		t.Error("Equal compares wrongly")
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"1961-04-27", "1961-04-27", false},
		{"1961-4-27", "", true},
		{"04/27/1961", "", true},
		{"1961-02-30", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseDate err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && tt.in != "" && strings.Contains(err.Error(), tt.in) {
				t.Errorf("error %q repeats the input", err)
			}
			if got := d.Reveal(); got != tt.want {
				t.Errorf("Reveal = %q, want %q", got, tt.want)
			}
		})
	}
}
