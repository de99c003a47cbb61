package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/kiz-ulm/kizdesk/codec"
	"github.com/kiz-ulm/kizdesk/models"
)

const (
	uiOrigin   = "http://localhost:8233"
	adminToken = "admin-api-token"
	codecText  = "Zora Quellenstein: VPN-Zertifikat abgelaufen"
)

// newCodecBrowser is a browser against a web server with the codec
// endpoint, whose desk knows an admin (login rita, password root, token
// adminToken) besides the 1st-level agent anna.
func newCodecBrowser(t *testing.T) (*browser, *codec.Codec) {
	t.Helper()
	c, err := codec.New([]codec.Key{{ID: "k1", Secret: bytes.Repeat([]byte{1}, codec.KeySize)}})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, Options{Codec: c, CodecOrigins: []string{uiOrigin + "/"}})
	admin := models.Agent{ID: 9, TenantID: 1, Login: "rita", Name: "Rita Root", Active: true}
	b.desk.agents[admin.ID] = admin
	b.desk.password["rita"] = "root"
	b.desk.tokens[adminToken] = admin.ID
	return b, c
}

// encryptedBody is the UI's request body: the payloads of codecText,
// encrypted by c.
func encryptedBody(t *testing.T, c *codec.Codec) string {
	t.Helper()
	p, err := c.DataConverter().ToPayload(codecText)
	if err != nil {
		t.Fatal(err)
	}
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{p}})
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// codecCall posts body to the codec endpoint as the UI would: JSON with an
// X-Namespace header, the browser's cookies, and origin if not "".
func (b *browser) codecCall(op, body, origin string, header ...string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+"/codec/"+op+"?preserveStorageRefs=true", strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", "kizdesk")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func decodedText(t *testing.T, res response) string {
	t.Helper()
	var out commonpb.Payloads
	if err := protojson.Unmarshal([]byte(res.body), &out); err != nil {
		t.Fatalf("codec answer %q: %v", res.body, err)
	}
	if len(out.Payloads) != 1 {
		t.Fatalf("codec answered %d payloads, want 1", len(out.Payloads))
	}
	var s string
	if err := converter.GetDefaultDataConverter().FromPayload(out.Payloads[0], &s); err != nil {
		t.Fatalf("answer is not a clear payload: %v", err)
	}
	return s
}

func TestCodecAdminSessionDecodes(t *testing.T) {
	b, c := newCodecBrowser(t)
	wantStatus(t, b.loginAs("rita", "root"), http.StatusSeeOther)
	res := b.codecCall("decode", encryptedBody(t, c), uiOrigin)
	wantStatus(t, res, http.StatusOK)
	if got := decodedText(t, res); got != codecText {
		t.Errorf("decoded %q, want %q", got, codecText)
	}
	if res.header.Get("Access-Control-Allow-Origin") != uiOrigin || res.header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("CORS headers for the UI: %v", res.header)
	}
	if res.header.Get("Cache-Control") != "no-store" {
		t.Errorf("decoded payloads may be cached: Cache-Control %q", res.header.Get("Cache-Control"))
	}

	// /encode gives payloads /decode reads back; no CSRF token is needed.
	plain, _ := converter.GetDefaultDataConverter().ToPayload(codecText)
	body, _ := protojson.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{plain}})
	res = b.codecCall("encode", string(body), "")
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(res.body, "json/plain") || !strings.Contains(res.body, "YmluYXJ5L2VuY3J5cHRlZA==") { // binary/encrypted
		t.Errorf("encode answered %s", res.body)
	}
	if got := decodedText(t, b.codecCall("decode", res.body, "")); got != codecText {
		t.Errorf("encode then decode gave %q", got)
	}
}

func TestCodecAdminToken(t *testing.T) {
	b, c := newCodecBrowser(t)
	res := b.codecCall("decode", encryptedBody(t, c), "", "Authorization", "Bearer "+adminToken)
	wantStatus(t, res, http.StatusOK)
	if got := decodedText(t, res); got != codecText {
		t.Errorf("decoded %q", got)
	}
}

func TestCodecRefusesNonAdmins(t *testing.T) {
	b, c := newCodecBrowser(t)
	body := encryptedBody(t, c)

	res := b.codecCall("decode", body, uiOrigin)
	wantStatus(t, res, http.StatusUnauthorized)
	res = b.codecCall("decode", body, "", "Authorization", "Bearer wrong")
	wantStatus(t, res, http.StatusUnauthorized)
	res = b.codecCall("decode", body, "", "Authorization", "Basic cml0YTpyb290")
	wantStatus(t, res, http.StatusUnauthorized)

	res = b.codecCall("decode", body, "", "Authorization", "Bearer "+testToken) // anna's, 1st level
	wantStatus(t, res, http.StatusForbidden)

	b.login() // anna
	res = b.codecCall("decode", body, uiOrigin)
	wantStatus(t, res, http.StatusForbidden)
	if strings.Contains(res.body, "Quellenstein") {
		t.Error("a refusal shows clear text")
	}
}

func TestCodecPreflight(t *testing.T) {
	b, _ := newCodecBrowser(t)
	preflight := func(origin string) response {
		req, _ := http.NewRequest(http.MethodOptions, b.base+"/codec/decode", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace")
		return b.do(req)
	}
	res := preflight(uiOrigin)
	wantStatus(t, res, http.StatusNoContent)
	h := res.header
	if h.Get("Access-Control-Allow-Origin") != uiOrigin || h.Get("Access-Control-Allow-Credentials") != "true" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight from the UI: %v", h)
	}
	for _, want := range []string{"Content-Type", "X-Namespace", "Authorization"} {
		if !strings.Contains(h.Get("Access-Control-Allow-Headers"), want) {
			t.Errorf("Access-Control-Allow-Headers %q lacks %s", h.Get("Access-Control-Allow-Headers"), want)
		}
	}

	for _, origin := range []string{"http://evil.example", "http://localhost:8234", "https://localhost:8233", "null"} {
		res := preflight(origin)
		if res.status == http.StatusNoContent || res.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from %s: %d %v", origin, res.status, res.header)
		}
	}
}

func TestCodecRefusesOtherOriginsEvenForAdmins(t *testing.T) {
	b, c := newCodecBrowser(t)
	wantStatus(t, b.loginAs("rita", "root"), http.StatusSeeOther)
	res := b.codecCall("decode", encryptedBody(t, c), "http://evil.example")
	wantStatus(t, res, http.StatusForbidden)
	if res.header.Get("Access-Control-Allow-Origin") != "" || strings.Contains(res.body, "Quellenstein") {
		t.Errorf("another origin got %v %s", res.header, res.body)
	}
	// A form post (no JSON) is not a codec request, whatever its origin.
	req, _ := http.NewRequest(http.MethodPost, b.base+"/codec/decode", strings.NewReader(encryptedBody(t, c)))
	req.Header.Set("Content-Type", "text/plain")
	wantStatus(t, b.do(req), http.StatusUnsupportedMediaType)
}

func TestCodecBadPayloads(t *testing.T) {
	b, c := newCodecBrowser(t)
	var msg struct{ Payloads []map[string]any }
	json.Unmarshal([]byte(encryptedBody(t, c)), &msg)
	msg.Payloads[0]["data"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" // not what was encrypted
	tampered, _ := json.Marshal(msg)
	res := b.codecCall("decode", string(tampered), "", "Authorization", "Bearer "+adminToken)
	wantStatus(t, res, http.StatusBadRequest)
	res = b.codecCall("decode", `{"payloads":`, "", "Authorization", "Bearer "+adminToken)
	wantStatus(t, res, http.StatusBadRequest)
}

func TestCodecNotConfigured(t *testing.T) {
	b := newBrowser(t, Options{})
	res := b.codecCall("decode", `{"payloads":[]}`, "", "Authorization", "Bearer "+testToken)
	wantStatus(t, res, http.StatusNotFound)
}

func TestCodecOriginsAreChecked(t *testing.T) {
	for _, o := range []string{"*", "localhost:8233", "ftp://x"} {
		if _, err := New(newFakeDesk(), Options{SessionKey: bytes.Repeat([]byte("k"), 32), CodecOrigins: []string{o}}); err == nil {
			t.Errorf("codec origin %q accepted", o)
		}
	}
}
