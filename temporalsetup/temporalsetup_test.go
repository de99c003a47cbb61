package temporalsetup_test

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/grpc"

	"github.com/kiz-ulm/kizdesk/devtemporal"
	"github.com/kiz-ulm/kizdesk/temporalsetup"
)

const day = 24 * time.Hour

var kizdeskAttributes = map[string]enumspb.IndexedValueType{
	"TicketNumber": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"TicketState":  enumspb.INDEXED_VALUE_TYPE_KEYWORD,
}

func TestEnsure(t *testing.T) {
	srv, err := devtemporal.Start(devtemporal.Options{UIPort: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	base, err := client.Dial(client.Options{
		HostPort: srv.FrontendAddress(),
		Logger:   sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(base.Close)
	c := &countingClient{Client: base}
	ctx := context.Background()

	t.Run("new namespace", func(t *testing.T) {
		opts := temporalsetup.Options{Namespace: "kizdesk-new", Retention: 40 * day, SearchAttributes: kizdeskAttributes}
		if err := temporalsetup.Ensure(ctx, c, opts); err != nil {
			t.Fatal(err)
		}
		if c.writes.Load() == 0 {
			t.Fatal("first Ensure wrote nothing")
		}
		checkRetention(t, c, "kizdesk-new", 40*day)
		checkAttributes(t, c, "kizdesk-new")

		c.writes.Store(0)
		if err := temporalsetup.Ensure(ctx, c, opts); err != nil {
			t.Fatal(err)
		}
		if n := c.writes.Load(); n != 0 {
			t.Fatalf("second Ensure made %d changes, want none", n)
		}
	})

	t.Run("retention is raised, never lowered", func(t *testing.T) {
		opts := temporalsetup.Options{Namespace: "kizdesk-new", Retention: 35 * day}
		if err := temporalsetup.Ensure(ctx, c, opts); err != nil {
			t.Fatal(err)
		}
		checkRetention(t, c, "kizdesk-new", 40*day)
		opts.Retention = 45 * day
		if err := temporalsetup.Ensure(ctx, c, opts); err != nil {
			t.Fatal(err)
		}
		checkRetention(t, c, "kizdesk-new", 45*day)
	})

	t.Run("existing namespace", func(t *testing.T) {
		// devtemporal creates "default" with the server's 1 day retention.
		opts := temporalsetup.Options{Namespace: "default", Retention: 30 * day, SearchAttributes: kizdeskAttributes}
		if err := temporalsetup.Ensure(ctx, c, opts); err != nil {
			t.Fatal(err)
		}
		checkRetention(t, c, "default", 30*day)
		checkAttributes(t, c, "default")
	})

	t.Run("attribute with other type", func(t *testing.T) {
		c.writes.Store(0)
		err := temporalsetup.Ensure(ctx, c, temporalsetup.Options{
			Namespace: "kizdesk-new",
			SearchAttributes: map[string]enumspb.IndexedValueType{
				"TicketNumber": enumspb.INDEXED_VALUE_TYPE_INT,
				"Other":        enumspb.INDEXED_VALUE_TYPE_KEYWORD,
			},
		})
		if err == nil || !strings.Contains(err.Error(), `"TicketNumber"`) {
			t.Fatalf("err = %v, want one naming TicketNumber", err)
		}
		if n := c.writes.Load(); n != 0 {
			t.Fatalf("failed Ensure made %d changes", n)
		}
	})

	t.Run("system attribute", func(t *testing.T) {
		err := temporalsetup.Ensure(ctx, c, temporalsetup.Options{
			Namespace:        "kizdesk-new",
			SearchAttributes: map[string]enumspb.IndexedValueType{"WorkflowType": enumspb.INDEXED_VALUE_TYPE_KEYWORD},
		})
		if err == nil || !strings.Contains(err.Error(), `"WorkflowType"`) {
			t.Fatalf("err = %v, want one naming WorkflowType", err)
		}
	})
}

func checkRetention(t *testing.T, c client.Client, ns string, want time.Duration) {
	t.Helper()
	desc, err := c.WorkflowService().DescribeNamespace(context.Background(), &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != want {
		t.Fatalf("retention of %s = %v, want %v", ns, got, want)
	}
}

func checkAttributes(t *testing.T, c client.Client, ns string) {
	t.Helper()
	resp, err := c.OperatorService().ListSearchAttributes(context.Background(), &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range kizdeskAttributes {
		if got := resp.GetCustomAttributes()[name]; got != typ {
			t.Errorf("search attribute %s in %s = %v, want %v", name, ns, got, typ)
		}
	}
}

// countingClient counts the calls of Ensure that change something.
type countingClient struct {
	client.Client
	writes atomic.Int32
}

func (c *countingClient) WorkflowService() workflowservice.WorkflowServiceClient {
	return countingWorkflowService{c.Client.WorkflowService(), &c.writes}
}

func (c *countingClient) OperatorService() operatorservice.OperatorServiceClient {
	return countingOperatorService{c.Client.OperatorService(), &c.writes}
}

type countingWorkflowService struct {
	workflowservice.WorkflowServiceClient
	writes *atomic.Int32
}

func (s countingWorkflowService) RegisterNamespace(ctx context.Context, in *workflowservice.RegisterNamespaceRequest, opts ...grpc.CallOption) (*workflowservice.RegisterNamespaceResponse, error) {
	s.writes.Add(1)
	return s.WorkflowServiceClient.RegisterNamespace(ctx, in, opts...)
}

func (s countingWorkflowService) UpdateNamespace(ctx context.Context, in *workflowservice.UpdateNamespaceRequest, opts ...grpc.CallOption) (*workflowservice.UpdateNamespaceResponse, error) {
	s.writes.Add(1)
	return s.WorkflowServiceClient.UpdateNamespace(ctx, in, opts...)
}

type countingOperatorService struct {
	operatorservice.OperatorServiceClient
	writes *atomic.Int32
}

func (s countingOperatorService) AddSearchAttributes(ctx context.Context, in *operatorservice.AddSearchAttributesRequest, opts ...grpc.CallOption) (*operatorservice.AddSearchAttributesResponse, error) {
	s.writes.Add(1)
	return s.OperatorServiceClient.AddSearchAttributes(ctx, in, opts...)
}
