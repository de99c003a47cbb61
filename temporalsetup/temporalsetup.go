// Package temporalsetup makes a Temporal namespace ready for kizdesk: it
// exists, keeps closed workflows long enough and knows kizdesk's search
// attributes. It works against any Temporal server (embedded or a cluster)
// and is safe to run at every start.
package temporalsetup

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

// readyTimeout bounds the wait for the server's caches to show a change.
// Search attributes on Elasticsearch clusters can take a minute.
const readyTimeout = 90 * time.Second

// Options says what the namespace must look like.
type Options struct {
	Namespace string
	// Retention is the minimum retention of closed workflows. A namespace
	// with less is raised to it; one with more is left alone. 0 leaves the
	// retention to the server's default (new namespace) or as it is.
	Retention time.Duration
	// SearchAttributes must exist in the namespace with exactly these types.
	SearchAttributes map[string]enumspb.IndexedValueType
}

// Ensure registers the namespace if needed, raises its retention if it is
// below opts.Retention and adds missing search attributes. It changes nothing
// when the namespace is already as asked. It returns once the namespace and
// the attributes can be used, which can take a moment after a change.
func Ensure(ctx context.Context, c client.Client, opts Options) error {
	if opts.Namespace == "" {
		return errors.New("temporalsetup: namespace is required")
	}
	wf, op := c.WorkflowService(), c.OperatorService()

	retention, err := describeOrRegister(ctx, wf, opts)
	if err != nil {
		return err
	}
	// A frontend knows a namespace only once its namespace cache has caught
	// up; until then every call naming it fails with NamespaceNotFound, even
	// though DescribeNamespace (read from the database) finds it.
	err = waitReady(ctx, func(ctx context.Context) error {
		_, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: opts.Namespace})
		return err
	}, isNamespaceNotFound)
	if err != nil {
		return fmt.Errorf("waiting for Temporal namespace %q to become usable: %w", opts.Namespace, err)
	}

	if opts.Retention > 0 && retention < opts.Retention {
		_, err = wf.UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
			Namespace: opts.Namespace,
			Config: &namespacepb.NamespaceConfig{
				WorkflowExecutionRetentionTtl: durationpb.New(opts.Retention),
			},
		})
		if err != nil {
			return fmt.Errorf("raising retention of Temporal namespace %q from %v to %v: %w",
				opts.Namespace, retention, opts.Retention, err)
		}
	}

	if len(opts.SearchAttributes) == 0 {
		return nil
	}
	added, err := ensureSearchAttributes(ctx, op, opts)
	if err != nil || len(added) == 0 {
		return err
	}
	// Queries, and workflows setting the attributes, accept new attributes
	// only once the server's caches have caught up.
	query := strings.Join(added, " IS NULL AND ") + " IS NULL"
	err = waitReady(ctx, func(ctx context.Context) error {
		_, err := wf.ListWorkflowExecutions(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: opts.Namespace,
			PageSize:  1,
			Query:     query,
		})
		return err
	}, isInvalidArgument)
	if err != nil {
		return fmt.Errorf("waiting for search attributes %v in Temporal namespace %q to become usable: %w",
			added, opts.Namespace, err)
	}
	return nil
}

// waitReady calls check until it succeeds, fails with an error for which
// notYet is false, or readyTimeout has passed.
func waitReady(ctx context.Context, check func(context.Context) error, notYet func(error) bool) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		err := check(ctx)
		if err == nil || !notYet(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// describeOrRegister returns the namespace's retention, registering the
// namespace first if it does not exist.
func describeOrRegister(ctx context.Context, svc workflowservice.WorkflowServiceClient, opts Options) (time.Duration, error) {
	desc, err := svc.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: opts.Namespace})
	if isNotFound(err) {
		req := &workflowservice.RegisterNamespaceRequest{
			Namespace:   opts.Namespace,
			Description: "kizdesk",
		}
		if opts.Retention > 0 {
			req.WorkflowExecutionRetentionPeriod = durationpb.New(opts.Retention)
		}
		_, err = svc.RegisterNamespace(ctx, req)
		var exists *serviceerror.NamespaceAlreadyExists
		if err != nil && !errors.As(err, &exists) {
			return 0, fmt.Errorf("registering Temporal namespace %q: %w", opts.Namespace, err)
		}
		// Read it back: whoever won a concurrent registration may have used
		// another retention.
		desc, err = svc.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: opts.Namespace})
	}
	if err != nil {
		return 0, fmt.Errorf("describing Temporal namespace %q: %w", opts.Namespace, err)
	}
	return desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(), nil
}

// ensureSearchAttributes returns the names of the attributes it added.
func ensureSearchAttributes(ctx context.Context, svc operatorservice.OperatorServiceClient, opts Options) ([]string, error) {
	missing, err := missingSearchAttributes(ctx, svc, opts)
	if err != nil || len(missing) == 0 {
		return nil, err
	}
	added := slices.Sorted(maps.Keys(missing))
	_, err = svc.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        opts.Namespace,
		SearchAttributes: missing,
	})
	if err != nil {
		return nil, fmt.Errorf("adding search attributes %v to Temporal namespace %q: %w", added, opts.Namespace, err)
	}
	// On SQL visibility the server skips names that already exist instead of
	// failing, so a concurrent add with another type would go unnoticed:
	// check the result.
	missing, err = missingSearchAttributes(ctx, svc, opts)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("search attributes %v still missing in Temporal namespace %q after adding them",
			slices.Sorted(maps.Keys(missing)), opts.Namespace)
	}
	return added, nil
}

// missingSearchAttributes returns the wanted attributes the namespace lacks,
// or an error if one exists with another type.
func missingSearchAttributes(ctx context.Context, svc operatorservice.OperatorServiceClient, opts Options) (map[string]enumspb.IndexedValueType, error) {
	resp, err := svc.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: opts.Namespace})
	if err != nil {
		return nil, fmt.Errorf("listing search attributes of Temporal namespace %q: %w", opts.Namespace, err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for _, name := range slices.Sorted(maps.Keys(opts.SearchAttributes)) {
		want := opts.SearchAttributes[name]
		if have, ok := resp.GetSystemAttributes()[name]; ok {
			return nil, fmt.Errorf("search attribute %q is a Temporal system attribute (type %v)", name, have)
		}
		have, ok := resp.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = want
		case have != want:
			return nil, fmt.Errorf("search attribute %q in Temporal namespace %q has type %v, kizdesk needs %v",
				name, opts.Namespace, have, want)
		}
	}
	return missing, nil
}

func isNamespaceNotFound(err error) bool {
	var nsNotFound *serviceerror.NamespaceNotFound
	return errors.As(err, &nsNotFound)
}

func isInvalidArgument(err error) bool {
	var invalid *serviceerror.InvalidArgument
	return errors.As(err, &invalid)
}

func isNotFound(err error) bool {
	var nsNotFound *serviceerror.NamespaceNotFound
	var notFound *serviceerror.NotFound
	return errors.As(err, &nsNotFound) || errors.As(err, &notFound)
}
