// Package standin is a small resource-provider framework for the lab's stand-in plugins: the
// upstream pulumi-command, pulumi-tls and pulumi-random providers are not served by the Go module
// proxy this project builds from, so the lab builds these instead. Each speaks the provider
// protocol of sdk/v3 for the resource types this project uses, with the same type tokens,
// property names, required inputs, defaults, replace rules and outputs as the upstream provider
// at the version the npm SDK pins (see the package docs of each plugin for the list).
package standin

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Failures collects input-check problems, each naming its property.
type Failures []*pulumirpc.CheckFailure

func (f *Failures) Add(prop, format string, args ...any) {
	*f = append(*f, &pulumirpc.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
}

// Type is one resource type a stand-in provider serves.
type Type struct {
	Token string
	// Inputs lists every input property (for diffs); Outputs the computed ones (unknown in previews).
	Inputs  []string
	Outputs []string
	// Secret outputs are returned as secrets whatever the program asked.
	SecretOutputs []string
	// Check validates inputs and applies the provider's defaults; unknown values pass unchecked.
	Check func(news resource.PropertyMap, f *Failures) resource.PropertyMap
	// ReplaceOnChange tells whether a change of this input replaces the resource (else: update).
	ReplaceOnChange func(key string) bool
	Create          func(ctx context.Context, name string, inputs resource.PropertyMap) (string, resource.PropertyMap, error)
	// Update is nil when every input change replaces.
	Update func(ctx context.Context, id string, olds, news resource.PropertyMap) (resource.PropertyMap, error)
	Delete func(ctx context.Context, id string, state resource.PropertyMap) error
}

type server struct {
	pulumirpc.UnimplementedResourceProviderServer
	name, version string
	types         map[string]*Type
}

var keep = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true, SkipNulls: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, keep)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, keep)
}

// Serve runs the provider until the engine stops it; the port goes to stdout's first line.
func Serve(name, version string, types ...*Type) {
	s := &server{name: name, version: version, types: map[string]*Type{}}
	for _, t := range types {
		s.types[t.Token] = t
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, s)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-%s: %v\n", name, err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-%s: %v\n", name, err)
		os.Exit(1)
	}
}

func (s *server) typeOf(urn string) (*Type, error) {
	t, ok := s.types[string(resource.URN(urn).Type())]
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument,
			"the lab's stand-in %s provider does not implement resource type %s", s.name, resource.URN(urn).Type())
	}
	return t, nil
}

func (s *server) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.version}, nil
}

func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":%q,"version":%q}`, s.name, s.version)}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	t, err := s.typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures Failures
	for k := range news {
		if !contains(t.Inputs, string(k)) && !resource.IsInternalPropertyKey(k) {
			failures.Add(string(k), "%s is not an input of %s", k, t.Token)
		}
	}
	checked := t.Check(news, &failures)
	if len(failures) > 0 {
		return &pulumirpc.CheckResponse{Failures: failures}, nil
	}
	out, err := marshal(checked)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: out}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	t, err := s.typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if req.GetOldInputs() == nil {
		if olds, err = unmarshal(req.GetOlds()); err != nil {
			return nil, err
		}
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var changed, replaces []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for _, k := range t.Inputs {
		key := resource.PropertyKey(k)
		o, hasOld := olds[key]
		n, hasNew := news[key]
		if !hasOld && !hasNew {
			continue
		}
		if hasOld && hasNew && !n.ContainsUnknowns() && o.DeepEquals(n) {
			continue
		}
		changed = append(changed, k)
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case !hasOld:
			kind = pulumirpc.PropertyDiff_ADD
		case !hasNew:
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if t.Update == nil || (t.ReplaceOnChange != nil && t.ReplaceOnChange(k)) {
			replaces = append(replaces, k)
			kind += 1 // the _REPLACE variant follows each kind in the enum
		}
		detailed[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	sort.Strings(changed)
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{
		Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed, Replaces: replaces,
		DetailedDiff: detailed, HasDetailedDiff: true,
	}, nil
}

// withOutputs returns inputs plus outputs, secret outputs marked secret.
func (t *Type) withOutputs(inputs, outputs resource.PropertyMap) resource.PropertyMap {
	m := inputs.Copy()
	for k, v := range outputs {
		if contains(t.SecretOutputs, string(k)) && !v.IsSecret() {
			v = resource.MakeSecret(v)
		}
		m[k] = v
	}
	return m
}

func (s *server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	t, err := s.typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		outs := resource.PropertyMap{}
		for _, o := range t.Outputs {
			outs[resource.PropertyKey(o)] = resource.MakeComputed(resource.NewStringProperty(""))
		}
		props, err := marshal(t.withOutputs(inputs, outs))
		if err != nil {
			return nil, err
		}
		return &pulumirpc.CreateResponse{Properties: props}, nil
	}
	id, outs, err := t.Create(ctx, string(resource.URN(req.GetUrn()).Name()), inputs)
	if err != nil {
		return nil, err
	}
	props, err := marshal(t.withOutputs(inputs, outs))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	// These resources have nothing to look up: their state is what the last operation returned.
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (s *server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	t, err := s.typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	if t.Update == nil {
		return nil, status.Errorf(codes.Internal, "%s is replaced on every change; Update was not expected", t.Token)
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		outs := resource.PropertyMap{}
		for _, o := range t.Outputs {
			outs[resource.PropertyKey(o)] = resource.MakeComputed(resource.NewStringProperty(""))
		}
		props, err := marshal(t.withOutputs(news, outs))
		if err != nil {
			return nil, err
		}
		return &pulumirpc.UpdateResponse{Properties: props}, nil
	}
	outs, err := t.Update(ctx, req.GetId(), olds, news)
	if err != nil {
		return nil, err
	}
	props, err := marshal(t.withOutputs(news, outs))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (s *server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	t, err := s.typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	if t.Delete != nil {
		state, err := unmarshal(req.GetProperties())
		if err != nil {
			return nil, err
		}
		if err := t.Delete(ctx, req.GetId(), state); err != nil {
			return nil, err
		}
	}
	return &emptypb.Empty{}, nil
}
