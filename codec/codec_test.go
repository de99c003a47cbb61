package codec_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/kiz-ulm/kizdesk/codec"
)

func key(id string, fill byte) codec.Key {
	return codec.Key{ID: id, Secret: bytes.Repeat([]byte{fill}, codec.KeySize)}
}

func newCodec(t *testing.T, keys ...codec.Key) *codec.Codec {
	t.Helper()
	c, err := codec.New(keys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// plain is what the default converter makes of v: the clear payload.
func plain(t *testing.T, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const secretText = "Zora Quellenstein kommt nicht ins VPN"

func TestRoundTrip(t *testing.T) {
	c := newCodec(t, key("k1", 1))
	in := []*commonpb.Payload{plain(t, secretText), plain(t, map[string]int{"n": 7}), plain(t, nil)}
	enc, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range enc {
		if got := string(p.Metadata["encoding"]); got != codec.Encoding {
			t.Errorf("payload %d: encoding %q, want %q", i, got, codec.Encoding)
		}
		if got := string(p.Metadata[codec.MetadataKeyID]); got != "k1" {
			t.Errorf("payload %d: key ID %q, want k1", i, got)
		}
		if bytes.Contains(p.Data, []byte("Quellenstein")) || bytes.Contains(p.Data, []byte("json/plain")) {
			t.Errorf("payload %d: clear text in the ciphertext", i)
		}
	}
	if bytes.Equal(enc[0].Data, mustEncode(t, c, in[0]).Data) {
		t.Error("the same payload encrypted twice gave the same bytes: the nonce is not fresh")
	}
	dec, err := c.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if err := converter.GetDefaultDataConverter().FromPayload(dec[0], &s); err != nil || s != secretText {
		t.Errorf("round trip gave %q, %v", s, err)
	}
	for i := range in {
		if string(dec[i].Metadata["encoding"]) != string(in[i].Metadata["encoding"]) || !bytes.Equal(dec[i].Data, in[i].Data) {
			t.Errorf("payload %d changed in the round trip: %v → %v", i, in[i], dec[i])
		}
	}
}

func mustEncode(t *testing.T, c *codec.Codec, p *commonpb.Payload) *commonpb.Payload {
	t.Helper()
	out, err := c.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

func decodeOne(c *codec.Codec, p *commonpb.Payload) (*commonpb.Payload, error) {
	out, err := c.Decode([]*commonpb.Payload{p})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func TestDataConverter(t *testing.T) {
	dc := newCodec(t, key("k1", 1)).DataConverter()
	p, err := dc.ToPayload(secretText)
	if err != nil {
		t.Fatal(err)
	}
	if !codec.IsEncrypted(p) {
		t.Fatalf("the data converter wrote %q", p.Metadata["encoding"])
	}
	var s string
	if err := dc.FromPayload(p, &s); err != nil || s != secretText {
		t.Errorf("FromPayload: %q, %v", s, err)
	}
}

func TestRotation(t *testing.T) {
	old := newCodec(t, key("2026a", 1))
	before := mustEncode(t, old, plain(t, secretText))

	rotated := newCodec(t, key("2026b", 2), key("2026a", 1))
	if rotated.CurrentKeyID() != "2026b" {
		t.Errorf("current key %q, want the first, 2026b", rotated.CurrentKeyID())
	}
	after := mustEncode(t, rotated, plain(t, secretText))
	if id := string(after.Metadata[codec.MetadataKeyID]); id != "2026b" {
		t.Errorf("a new payload is encrypted with %q, want the new key", id)
	}
	for name, p := range map[string]*commonpb.Payload{"old": before, "new": after} {
		if _, err := decodeOne(rotated, p); err != nil {
			t.Errorf("the rotated ring cannot read the %s payload: %v", name, err)
		}
	}
	// Once the old key leaves the ring, its payloads are unreadable.
	_, err := decodeOne(newCodec(t, key("2026b", 2)), before)
	if !errors.Is(err, codec.ErrUnknownKey) || !strings.Contains(err.Error(), `"2026a"`) {
		t.Errorf("old payload after the old key was dropped: %v", err)
	}
}

func TestTamperedPayloadIsRefused(t *testing.T) {
	c := newCodec(t, key("k1", 1))
	enc := mustEncode(t, c, plain(t, secretText))
	for name, change := range map[string]func(p *commonpb.Payload){
		"flipped bit":   func(p *commonpb.Payload) { p.Data[len(p.Data)/2] ^= 1 },
		"cut short":     func(p *commonpb.Payload) { p.Data = p.Data[:len(p.Data)-1] },
		"only a nonce":  func(p *commonpb.Payload) { p.Data = p.Data[:12] },
		"empty":         func(p *commonpb.Payload) { p.Data = nil },
		"nonce changed": func(p *commonpb.Payload) { p.Data[0] ^= 0x80 },
	} {
		p := &commonpb.Payload{Metadata: enc.Metadata, Data: bytes.Clone(enc.Data)}
		change(p)
		if _, err := decodeOne(c, p); !errors.Is(err, codec.ErrNotAuthentic) {
			t.Errorf("%s: %v, want ErrNotAuthentic", name, err)
		}
	}
	// The key ID is authenticated: relabelling a payload with another key
	// of the ring fails even if that key were the same.
	twin := newCodec(t, key("k1", 1), key("k2", 1))
	p := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte(codec.Encoding), codec.MetadataKeyID: []byte("k2")}, Data: enc.Data}
	if _, err := decodeOne(twin, p); !errors.Is(err, codec.ErrNotAuthentic) {
		t.Errorf("relabelled key ID: %v, want ErrNotAuthentic", err)
	}
}

func TestWrongKeyOfTheSameID(t *testing.T) {
	enc := mustEncode(t, newCodec(t, key("k1", 1)), plain(t, secretText))
	_, err := decodeOne(newCodec(t, key("k1", 2)), enc)
	if !errors.Is(err, codec.ErrNotAuthentic) || !strings.Contains(err.Error(), `"k1"`) {
		t.Errorf("decrypt with another secret under the same ID: %v", err)
	}
}

func TestUnknownKeyID(t *testing.T) {
	enc := mustEncode(t, newCodec(t, key("elsewhere", 1)), plain(t, secretText))
	_, err := decodeOne(newCodec(t, key("k1", 1), key("k0", 3)), enc)
	if !errors.Is(err, codec.ErrUnknownKey) {
		t.Fatalf("unknown key: %v", err)
	}
	// The message names the key wanted and the keys there are (no secrets).
	for _, want := range []string{`"elsewhere"`, "k1, k0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %s", err, want)
		}
	}
}

func TestNoDoubleEncryptionAndPlainPassesThrough(t *testing.T) {
	c := newCodec(t, key("k1", 1))
	enc := mustEncode(t, c, plain(t, secretText))
	again := mustEncode(t, c, enc)
	if again != enc {
		t.Error("an encrypted payload was encrypted again")
	}
	// A plain payload — from a history recorded before encryption was on —
	// decodes as it is.
	legacy := plain(t, secretText)
	got, err := decodeOne(c, legacy)
	if err != nil || got != legacy {
		t.Errorf("plain payload: %v, %v", got, err)
	}
	var s string
	if err := c.DataConverter().FromPayload(legacy, &s); err != nil || s != secretText {
		t.Errorf("the data converter reads a legacy payload as %q, %v", s, err)
	}
}

func TestNewValidatesTheRing(t *testing.T) {
	for name, keys := range map[string][]codec.Key{
		"empty":        nil,
		"short key":    {{ID: "k1", Secret: make([]byte, 16)}},
		"long key":     {{ID: "k1", Secret: make([]byte, 33)}},
		"duplicate ID": {key("k1", 1), key("k1", 2)},
		"empty ID":     {key("", 1)},
		"bad ID":       {key("k 1", 1)},
	} {
		if _, err := codec.New(keys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseKeys(t *testing.T) {
	a := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	b := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	keys, err := codec.ParseKeys(" new:" + b + " , old:" + a + " ")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].ID != "new" || keys[1].ID != "old" || keys[0].Secret[0] != 2 {
		t.Errorf("ParseKeys = %+v", keys)
	}
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	for s, want := range map[string]string{
		"":                                 "entry 1 is not id:base64key",
		"new:" + b + ",":                   "entry 2",
		"k1:" + short:                      "16 bytes, want 32",
		"k1:not base64!":                   "not base64",
		"k1 x:" + a:                        "key ID",
		codec.ReplayTestKeyID + ":" + a:    "public test key",
		"k1:" + a + "," + "k1:" + b + "xx": "not base64",
	} {
		_, err := codec.ParseKeys(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseKeys(%q): %v, want %q", s, err, want)
		}
		if err != nil && strings.Contains(err.Error(), a) {
			t.Errorf("ParseKeys(%q): the error quotes a secret: %v", s, err)
		}
	}
}

func TestParseKeyFile(t *testing.T) {
	a := codec.KeyFileLine(key("2026b", 2))
	b := codec.KeyFileLine(key("2026a", 1))
	keys, err := codec.ParseKeyFile([]byte("# current first\n" + a + "\n  " + b))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].ID != "2026b" || keys[1].ID != "2026a" || !bytes.Equal(keys[1].Secret, key("", 1).Secret) {
		t.Errorf("ParseKeyFile = %+v", keys)
	}
	if _, err := codec.ParseKeyFile([]byte(a + "k3\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a line without a key: %v", err)
	}
	if keys, err := codec.ParseKeyFile([]byte("# nothing\n")); err != nil || len(keys) != 0 {
		t.Errorf("a file without keys: %v %v (New then says the ring is empty)", keys, err)
	}
}

func TestFailureMessagesAreEncrypted(t *testing.T) {
	c := newCodec(t, key("k1", 1))
	fc := c.FailureConverter()
	f := fc.ErrorToFailure(temporal.NewApplicationError("ticket of "+secretText+" is closed", "Rejected"))
	if strings.Contains(f.GetMessage(), "Quellenstein") || !codec.IsEncrypted(f.GetEncodedAttributes()) {
		t.Fatalf("failure in clear: message %q, attributes %v", f.GetMessage(), f.GetEncodedAttributes())
	}
	err := fc.FailureToError(f)
	if err == nil || !strings.Contains(err.Error(), secretText) {
		t.Errorf("failure read back as %v", err)
	}
}

func TestRecodeMovesAHistoryToAnotherKey(t *testing.T) {
	install := newCodec(t, key("live", 9))
	live := mustEncode(t, install, plain(t, secretText))
	searchAttr := plain(t, "Helpdesk")
	header := plain(t, "trace-id")
	hist := &historypb.History{Events: []*historypb.HistoryEvent{{
		EventId: 1,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{
			WorkflowExecutionStartedEventAttributes: &historypb.WorkflowExecutionStartedEventAttributes{
				Input:            &commonpb.Payloads{Payloads: []*commonpb.Payload{live, plain(t, "legacy "+secretText)}},
				SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{"TicketQueue": searchAttr}},
				Header:           &commonpb.Header{Fields: map[string]*commonpb.Payload{"tracer": header}},
			},
		},
	}, {
		EventId: 2,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionFailedEventAttributes{
			WorkflowExecutionFailedEventAttributes: &historypb.WorkflowExecutionFailedEventAttributes{
				Failure: &failurepb.Failure{Message: "failed for " + secretText, StackTrace: "main.go:1"},
			},
		},
	}}}
	test := codec.ReplayTest()
	if err := codec.Recode(context.Background(), hist, install, test); err != nil {
		t.Fatal(err)
	}
	attrs := hist.Events[0].GetWorkflowExecutionStartedEventAttributes()
	for i, p := range attrs.GetInput().GetPayloads() {
		if id := string(p.Metadata[codec.MetadataKeyID]); id != codec.ReplayTestKeyID {
			t.Errorf("input %d is under key %q, want the test key", i, id)
		}
	}
	if attrs.GetSearchAttributes().GetIndexedFields()["TicketQueue"] != searchAttr || attrs.GetHeader().GetFields()["tracer"] != header {
		t.Error("search attributes or headers were changed")
	}
	failure := hist.Events[1].GetWorkflowExecutionFailedEventAttributes().GetFailure()
	if strings.Contains(failure.GetMessage(), "Quellenstein") || failure.GetStackTrace() != "" ||
		string(failure.GetEncodedAttributes().GetMetadata()[codec.MetadataKeyID]) != codec.ReplayTestKeyID {
		t.Errorf("failure not encrypted: %v", failure)
	}
	var s string
	if err := test.DataConverter().FromPayload(attrs.GetInput().GetPayloads()[1], &s); err != nil || s != "legacy "+secretText {
		t.Errorf("the legacy input reads %q, %v", s, err)
	}
	// A history under a key the source ring lacks cannot be moved.
	if err := codec.Recode(context.Background(), hist, install, test); !errors.Is(err, codec.ErrUnknownKey) {
		t.Errorf("recode from the wrong ring: %v", err)
	}
}
