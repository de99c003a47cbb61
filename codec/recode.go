package codec

import (
	"context"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// Recode rewrites the payloads of msg — a workflow history, say — that a
// data converter produced: each is decrypted with from (plain ones pass
// through) and encrypted with to. That moves an exported history from an
// installation's key ring to the replay test key, and encrypts a history
// recorded before payloads were private.
//
// Search attributes and headers are left as they are: the SDK writes them
// with the default converter (search attributes) or with context
// propagators (headers), never through the data converter, and reads them
// back the same way on replay. Failure messages and stack traces still in
// clear are first packed into an encoded attribute, as the codec's
// FailureConverter would have done.
func Recode(ctx context.Context, msg proto.Message, from, to converter.PayloadCodec) error {
	plain := converter.GetDefaultDataConverter()
	err := proxy.VisitFailures(ctx, msg, proxy.VisitFailuresOptions{
		Visitor: func(_ *proxy.VisitFailuresContext, f *failurepb.Failure) error {
			if f.GetEncodedAttributes() != nil || (f.GetMessage() == "" && f.GetStackTrace() == "") {
				return nil
			}
			return converter.EncodeCommonFailureAttributes(plain, f)
		},
	})
	if err != nil {
		return fmt.Errorf("encode failure messages: %w", err)
	}
	err = proxy.VisitPayloads(ctx, msg, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(vc *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			if _, ok := vc.Parent.(*commonpb.Header); ok {
				return ps, nil
			}
			decoded, err := from.Decode(ps)
			if err != nil {
				return nil, err
			}
			return to.Encode(decoded)
		},
	})
	if err != nil {
		return fmt.Errorf("re-encrypt payloads: %w", err)
	}
	return nil
}
