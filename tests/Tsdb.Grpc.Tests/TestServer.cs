using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tsdb.Grpc.Tests;

/// <summary>Kestrel on 127.0.0.1:0 with one cleartext port for HTTP/1.1 and h2c, a few test methods and <c>GET /hello</c>.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const string Service = "test.Echo";

    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Completed when a call of method Endless sees its cancellation token fire.</summary>
    public static TaskCompletionSource EndlessCancelled { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<TestServer> StartAsync(int maxReceive = 1024)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AllowAlternateSchemes = true;
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(Http2PriorKnowledge.Middleware);
            });
        });
        var app = builder.Build();
        var registry = new GrpcServiceRegistry()
            .Add(Service, "Echo", async call =>
            {
                while (await call.ReadMessageAsync() is { } message)
                {
                    await call.WriteMessageAsync(message);
                }
            })
            .Add(Service, "Sum", async call =>
            {
                long sum = 0;
                while (await call.ReadMessageAsync() is { } message)
                {
                    foreach (var b in message)
                    {
                        sum += b;
                    }
                }
                call.AddResponseMetadata("x-sum", sum.ToString(System.Globalization.CultureInfo.InvariantCulture));
            })
            .Add(Service, "Wait", async call =>
            {
                await call.ReadSingleMessageAsync();
                await Task.Delay(Timeout.Infinite, call.CancellationToken);
            })
            .Add(Service, "Endless", async call =>
            {
                await call.ReadSingleMessageAsync();
                try
                {
                    while (true)
                    {
                        await call.WriteMessageAsync(new byte[32 << 10]);
                        await call.FlushAsync();
                    }
                }
                catch (Exception)
                {
                    // A reset surfaces on the pending write as a cancellation or as an I/O error, depending on timing;
                    // either way the call's token must fire (that is what the test checks), so wait for it briefly.
                    try
                    {
                        await Task.Delay(Timeout.Infinite, call.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10));
                    }
                    catch (OperationCanceledException)
                    {
                        EndlessCancelled.TrySetResult();
                    }
                    throw;
                }
            })
            .Add(Service, "Fail", async call =>
            {
                await call.ReadSingleMessageAsync();
                throw new GrpcException(GrpcStatusCode.NotFound, "database 'über' not found: 100%");
            })
            .Add(Service, "FailAfterOne", async call =>
            {
                var message = await call.ReadSingleMessageAsync();
                await call.WriteMessageAsync(message);
                throw new GrpcException(GrpcStatusCode.InvalidArgument, "bad after one");
            });
        app.UseGrpc(registry, new GrpcServerOptions { MaxReceiveMessageSize = maxReceive });
        app.MapGet("/hello", (HttpContext c) => Results.Text("hello " + c.Request.Protocol));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
