// Command pulumi-language-nodejs (the shim) lets the Node.js language host built from sdk/v3 v3.68.0
// run policy packs. That host, the newest published inside the sdk/v3 Go module, answers the engine's
// RunPlugin call with "not supported", and an engine that finds a Node.js language host runs policy
// packs, and resource plugins from a folder with a PulumiPlugin.yaml, only through RunPlugin. The
// shim starts the real host (pulumi-language-nodejs-v3.68.0 beside it), forwards every gRPC call to
// it byte for byte, and answers RunPlugin itself the way a current host does: @pulumi/pulumi's
// run-policy-pack for a policy pack, its run-plugin for a resource plugin, each resolved from the
// plugin's own directory.
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

const (
	runPluginMethod           = "/pulumirpc.LanguageRuntime/RunPlugin"
	installDependenciesMethod = "/pulumirpc.LanguageRuntime/InstallDependencies"
)

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
		switch method {
		case runPluginMethod:
			return runPlugin(stream)
		case installDependenciesMethod:
			return installDependencies(upstream, stream)
		}
		return forward(upstream, method, stream, nil)
	}))
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	go func() { _, _ = io.Copy(os.Stdout, reader) }()
	go func() {
		_ = child.Wait()
		server.Stop()
	}()
	return server.Serve(listener)
}

// forward relays one call, in both directions, to the real host; first, when set, is a request
// message already read from the engine.
func forward(upstream *grpc.ClientConn, method string, stream grpc.ServerStream, first *frame) error {
	md, _ := metadata.FromIncomingContext(stream.Context())
	ctx, cancel := context.WithCancel(metadata.NewOutgoingContext(stream.Context(), md.Copy()))
	defer cancel()
	client, err := upstream.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		return err
	}
	if first != nil {
		if err := client.SendMsg(first); err != nil {
			return err
		}
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

// receive reads the engine's first request of a call and decodes it into req (the shim's own
// handlers read what they answer; forwarded calls stay bytes). The frame is kept for forwarding.
func receive(stream grpc.ServerStream, req proto.Message) (*frame, error) {
	in := &frame{}
	if err := stream.RecvMsg(in); err != nil {
		return nil, err
	}
	if err := proto.Unmarshal(in.data, req); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "decoding %s: %v", req.ProtoReflect().Descriptor().Name(), err)
	}
	return in, nil
}

// sendMessage writes one answer of the shim's own to the engine.
func sendMessage(stream grpc.ServerStream, response proto.Message) error {
	data, err := proto.Marshal(response)
	if err != nil {
		return err
	}
	return stream.SendMsg(&frame{data: data})
}

// runPlugin starts a plugin the way a current Node.js host does, with @pulumi/pulumi resolved from
// the plugin's directory: a policy pack with run-policy-pack (args, then "."), in the pack's
// directory; a resource plugin (a folder with PulumiPlugin.yaml, `runtime: nodejs`) with run-plugin
// (the folder, then the engine's args), in the engine's working directory, with only the environment
// the engine sends.
func runPlugin(stream grpc.ServerStream) error {
	req := &pulumirpc.RunPluginRequest{}
	if _, err := receive(stream, req); err != nil {
		return err
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetInfo().GetRootDirectory()
	}
	if dir == "" {
		dir = req.GetProgram()
	}
	resolve := exec.Command("node", "-p", `require("path").dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }))`)
	resolve.Dir = dir
	sdkOut, err := resolve.Output()
	if err != nil {
		return status.Errorf(codes.FailedPrecondition, "@pulumi/pulumi is not installed for the plugin in %s; run npm install there", dir)
	}
	sdk := strings.TrimSpace(string(sdkOut))
	var cmd *exec.Cmd
	switch req.GetKind() {
	case "", "analyzer":
		cmd = exec.Command("node", append([]string{filepath.Join(sdk, "cmd", "run-policy-pack")}, append(req.GetArgs(), ".")...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), req.GetEnv()...)
	case "resource":
		cmd = exec.Command("node", append([]string{filepath.Join(sdk, "cmd", "run-plugin"), dir}, req.GetArgs()...)...)
		cmd.Dir = req.GetPwd()
		if cmd.Dir == "" {
			cmd.Dir = dir
		}
		// The engine sends its whole environment (and the stack's) in Env, as it would to a binary.
		cmd.Env = req.GetEnv()
		if len(cmd.Env) == 0 {
			cmd.Env = os.Environ()
		}
	default:
		return status.Errorf(codes.Unimplemented, "this language host runs policy packs and resource plugins, not %q plugins", req.GetKind())
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	send := func(response *pulumirpc.RunPluginResponse) error { return sendMessage(stream, response) }
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
	// The engine ends a plugin by cancelling this call (a resource plugin never exits by itself).
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-stream.Context().Done():
			_ = cmd.Process.Kill()
		case <-finished:
		}
	}()
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

// installDependencies answers the engine's InstallDependencies for a plugin folder (`pulumi package
// add <folder>`, `packages:` naming a folder) as a current host does: `npm install` in the folder,
// then a node_modules found there or above it (an installed package's folder has none of its own;
// its dependencies are in the project's node_modules). The v3.68 host looks only in the folder
// itself, so it fails there. Installs for a program are forwarded unchanged.
func installDependencies(upstream *grpc.ClientConn, stream grpc.ServerStream) error {
	req := &pulumirpc.InstallDependenciesRequest{}
	in, err := receive(stream, req)
	if err != nil {
		return err
	}
	if !req.GetIsPlugin() {
		return forward(upstream, installDependenciesMethod, stream, in)
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetDirectory()
	}
	cmd := exec.Command("npm", "install", "--no-audit", "--no-fund")
	cmd.Dir = dir
	output, err := cmd.CombinedOutput()
	if sendErr := sendMessage(stream, &pulumirpc.InstallDependenciesResponse{Stdout: output}); sendErr != nil {
		return sendErr
	}
	if err != nil {
		return status.Errorf(codes.Unknown, "npm install in %s failed: %v", dir, err)
	}
	for at := dir; ; at = filepath.Dir(at) {
		if info, err := os.Stat(filepath.Join(at, "node_modules")); err == nil && info.IsDir() {
			return nil
		}
		if filepath.Dir(at) == at {
			return status.Errorf(codes.FailedPrecondition, "npm install reported success, but no node_modules directory is in %s or above it", dir)
		}
	}
}
