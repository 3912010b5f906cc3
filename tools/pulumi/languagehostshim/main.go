// Command pulumi-language-nodejs (the shim) lets the Node.js language host built from sdk/v3 v3.68.0
// run policy packs. That host, the newest published inside the sdk/v3 Go module, answers the engine's
// RunPlugin call with "not supported", and an engine that finds a Node.js language host runs policy
// packs only through RunPlugin. The shim starts the real host (pulumi-language-nodejs-v3.68.0 beside
// it), forwards every gRPC call to it byte for byte, and answers RunPlugin itself by starting
// @pulumi/pulumi's run-policy-pack in the policy pack's directory, as a current host does.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// frame is one gRPC message as bytes: forwarded calls are never decoded, so the two hosts' protocol
// versions need not match.
type frame struct{ data []byte }

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.(*frame).data, nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	v.(*frame).data = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

const runPluginMethod = "/pulumirpc.LanguageRuntime/RunPlugin"

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (apikeys shim): %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if resolved, err := filepath.EvalSymlinks(self); err == nil {
		self = resolved
	}
	real := filepath.Join(filepath.Dir(self), "pulumi-language-nodejs-v3.68.0")
	child := exec.Command(real, os.Args[1:]...)
	child.Stderr = os.Stderr
	child.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := child.StdoutPipe()
	if err != nil {
		return err
	}
	if err := child.Start(); err != nil {
		return fmt.Errorf("starting the language host %s: %w", real, err)
	}
	// The real host prints its port first, like every plugin; ours replaces it.
	reader := bufio.NewReader(stdout)
	line, err := reader.ReadString('\n')
	if err != nil {
		return fmt.Errorf("the language host %s printed no port: %w", real, err)
	}
	upstream, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(line),
		grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	server := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		method, _ := grpc.MethodFromServerStream(stream)
		if method == runPluginMethod {
			return runPlugin(stream)
		}
		return forward(upstream, method, stream)
	}))
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	go func() { _, _ = io.Copy(os.Stdout, reader) }()
	go func() {
		_ = child.Wait()
		server.Stop()
	}()
	return server.Serve(listener)
}

// forward relays one call, in both directions, to the real host.
func forward(upstream *grpc.ClientConn, method string, stream grpc.ServerStream) error {
	md, _ := metadata.FromIncomingContext(stream.Context())
	ctx, cancel := context.WithCancel(metadata.NewOutgoingContext(stream.Context(), md.Copy()))
	defer cancel()
	client, err := upstream.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		return err
	}
	go func() {
		for {
			f := &frame{}
			if err := stream.RecvMsg(f); err != nil {
				_ = client.CloseSend()
				return
			}
			if err := client.SendMsg(f); err != nil {
				return
			}
		}
	}()
	for {
		f := &frame{}
		if err := client.RecvMsg(f); err != nil {
			stream.SetTrailer(client.Trailer())
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := stream.SendMsg(f); err != nil {
			return err
		}
	}
}

// runPlugin starts a policy pack the way the engine's own fallback does: run-policy-pack from the
// @pulumi/pulumi the pack resolves, in the pack's directory, with the engine's address and ".".
func runPlugin(stream grpc.ServerStream) error {
	in := &frame{}
	if err := stream.RecvMsg(in); err != nil {
		return err
	}
	req := &pulumirpc.RunPluginRequest{}
	if err := proto.Unmarshal(in.data, req); err != nil {
		return status.Errorf(codes.InvalidArgument, "decoding RunPluginRequest: %v", err)
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetInfo().GetRootDirectory()
	}
	if dir == "" {
		dir = req.GetProgram()
	}
	if req.GetKind() != "" && req.GetKind() != "analyzer" {
		return status.Errorf(codes.Unimplemented, "this language host runs policy packs only, not %q plugins", req.GetKind())
	}
	resolve := exec.Command("node", "-p", `require("path").dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }))`)
	resolve.Dir = dir
	sdk, err := resolve.Output()
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "@pulumi/pulumi is not installed for the policy pack in %s; run npm install there", dir)
	}
	cmd := exec.Command("node", append([]string{filepath.Join(strings.TrimSpace(string(sdk)), "cmd", "run-policy-pack")}, append(req.GetArgs(), ".")...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	send := func(response *pulumirpc.RunPluginResponse) error {
		data, err := proto.Marshal(response)
		if err != nil {
			return err
		}
		return stream.SendMsg(&frame{data: data})
	}
	outputs := make(chan *pulumirpc.RunPluginResponse)
	pump := func(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse) {
		buf := make([]byte, 32*1024)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				outputs <- wrap(append([]byte(nil), buf[:n]...))
			}
			if err != nil {
				outputs <- nil
				return
			}
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return status.Errorf(codes.Internal, "starting node: %v", err)
	}
	go pump(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	})
	go pump(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	})
	for open := 2; open > 0; {
		response := <-outputs
		if response == nil {
			open--
			continue
		}
		if err := send(response); err != nil {
			_ = cmd.Process.Kill()
			return err
		}
	}
	code := 0
	if err := cmd.Wait(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return err
		}
		code = exit.ExitCode()
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}
