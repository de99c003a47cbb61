package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
)

func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		def := "*(empty)*"
		if s.def != "" {
			def = "`" + s.def + "`"
		}
		row := "| `" + s.env + "` | "
		i := bytes.Index(readme, []byte(row))
		if i < 0 {
			t.Errorf("README's configuration table lacks %s", s.env)
			continue
		}
		line := string(readme[i:])
		line = line[:strings.IndexByte(line, '\n')]
		if s.def != "" && !strings.Contains(line, def) {
			t.Errorf("README gives %s another default than %q: %s", s.env, s.def, line)
		}
		for _, c := range s.commands {
			if !strings.Contains(line, c) {
				t.Errorf("README does not say that %s reads %s", c, s.env)
			}
		}
	}
}

func TestHelpAndBadInput(t *testing.T) {
	for _, cmd := range []string{"dev", "web", "worker", "migrate"} {
		var out, errw bytes.Buffer
		err := run(t.Context(), []string{cmd, "--help"}, nil, &out, &errw)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errw.String(), "KIZDESK_") {
			t.Errorf("%s --help: %v\n%s", cmd, err, errw.String())
		}
	}
	var out, errw bytes.Buffer
	if err := run(t.Context(), []string{"frobnicate"}, nil, &out, &errw); err == nil {
		t.Error("an unknown command was accepted")
	}
	t.Setenv("KIZDESK_DATABASE_URL", "")
	if err := run(t.Context(), []string{"web"}, nil, &out, &errw); err == nil || !strings.Contains(err.Error(), "KIZDESK_DATABASE_URL") {
		t.Errorf("web without a database: %v", err)
	}
	t.Setenv("KIZDESK_DATABASE_URL", "postgres://x@127.0.0.1:1/x")
	t.Setenv("KIZDESK_SESSION_KEY", "abc")
	if err := run(t.Context(), []string{"web"}, nil, &out, &errw); err == nil || !strings.Contains(err.Error(), "KIZDESK_SESSION_KEY") {
		t.Errorf("web with a short session key: %v", err)
	}
	t.Setenv("KIZDESK_TEMPORAL_RETENTION", "24h")
	if err := run(t.Context(), []string{"worker"}, nil, &out, &errw); err == nil || !strings.Contains(err.Error(), "30 days") {
		t.Errorf("worker with a day's retention: %v", err)
	}
}
