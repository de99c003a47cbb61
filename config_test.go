package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/codec"
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
	for _, cmd := range []string{"dev", "temporal-dev", "web", "worker", "migrate", "gen-tickets"} {
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
	// Web and worker refuse to start without payload keys, or with bad ones.
	t.Setenv("KIZDESK_SESSION_KEY", hex.EncodeToString(bytes.Repeat([]byte{7}, 64)))
	t.Setenv("KIZDESK_AUDIT_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)))
	t.Setenv("KIZDESK_AUDIT_KEY_FILE", "")
	t.Setenv("KIZDESK_PAYLOAD_KEYS", "")
	t.Setenv("KIZDESK_PAYLOAD_KEY_FILE", "")
	for _, cmd := range []string{"web", "worker"} {
		if err := run(t.Context(), []string{cmd}, nil, &out, &errw); err == nil || !strings.Contains(err.Error(), "set KIZDESK_PAYLOAD_KEYS") {
			t.Errorf("%s without payload keys: %v", cmd, err)
		}
	}
	k16 := base64.StdEncoding.EncodeToString(make([]byte, 16))
	k32 := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for keys, want := range map[string]string{
		"k1:" + k16:                "16 bytes, want 32",
		"k1:" + k32 + ",k1:" + k32: "twice",
		"k1":                       "not id:base64key",
	} {
		t.Setenv("KIZDESK_PAYLOAD_KEYS", keys)
		if err := run(t.Context(), []string{"web"}, nil, &out, &errw); err == nil || !strings.Contains(err.Error(), "KIZDESK_PAYLOAD_KEYS") || !strings.Contains(err.Error(), want) {
			t.Errorf("web with payload keys %q: %v, want %q", keys, err, want)
		}
	}
	t.Setenv("KIZDESK_PAYLOAD_KEYS", "")
	t.Setenv("KIZDESK_PAYLOAD_KEY_FILE", filepath.Join(t.TempDir(), "missing.keys"))
	if err := run(t.Context(), []string{"worker"}, nil, &out, &errw); err == nil || !strings.Contains(err.Error(), "KIZDESK_PAYLOAD_KEY_FILE") {
		t.Errorf("worker with a missing key file: %v", err)
	}
	t.Setenv("KIZDESK_TEMPORAL_RETENTION", "24h")
	if err := run(t.Context(), []string{"worker"}, nil, &out, &errw); err == nil || !strings.Contains(err.Error(), "30 days") {
		t.Errorf("worker with a day's retention: %v", err)
	}
	t.Setenv("KIZDESK_TEMPORAL_RETENTION", "720h")
	for _, n := range []string{"0", "-5", "viele"} {
		t.Setenv("KIZDESK_WORKER_CACHE", n)
		if err := run(t.Context(), []string{"worker"}, nil, &out, &errw); err == nil || !strings.Contains(err.Error(), "KIZDESK_WORKER_CACHE") {
			t.Errorf("worker with a cache of %q: %v", n, err)
		}
	}
}

func TestPayloadKeysFromVariableAndFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "payload.keys")
	older := codec.Key{ID: "2025", Secret: bytes.Repeat([]byte{1}, 32)}
	if err := os.WriteFile(file, []byte("# older keys\n"+codec.KeyFileLine(older)), 0o600); err != nil {
		t.Fatal(err)
	}
	v := values{
		"KIZDESK_PAYLOAD_KEYS":     "2026:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32)),
		"KIZDESK_PAYLOAD_KEY_FILE": file,
	}
	c, err := payloadCodec(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.KeyIDs(), " "); c.CurrentKeyID() != "2026" || got != "2026 2025" {
		t.Errorf("ring %s with current %s, want 2026 2025 with current 2026", got, c.CurrentKeyID())
	}
	v["KIZDESK_PAYLOAD_KEYS"] = "2025:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	if _, err := payloadCodec(v); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("the same key ID in variable and file: %v", err)
	}
}

func TestDevPayloadKeyIsMadeOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	first, err := devPayloadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := devPayloadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || len(again) != 1 || first[0].ID != again[0].ID || !bytes.Equal(first[0].Secret, again[0].Secret) {
		t.Errorf("dev's payload key changed across starts: %v, %v", first, again)
	}
	info, err := os.Stat(filepath.Join(dir, "payload.keys"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("payload.keys: %v, mode %v, want 0600", err, info.Mode())
	}
}

func TestDevCodecEndpoint(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://localhost:8080/codec",
		"127.0.0.1:9000": "http://localhost:9000/codec",
		"0.0.0.0:8080":   "http://localhost:8080/codec",
		"desk.local:80":  "http://desk.local:80/codec",
		":0":             "",
	} {
		if got := devCodecEndpoint(addr); got != want {
			t.Errorf("devCodecEndpoint(%q) = %q, want %q", addr, got, want)
		}
	}
	if got := browserURL("http://127.0.0.1:8233"); got != "http://localhost:8233" {
		t.Errorf("browserURL = %q", got)
	}
}
