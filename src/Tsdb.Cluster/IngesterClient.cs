using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Ipc;
using Tsdb.Arrow.Types;
using Tsdb.Flight;
using Tsdb.Flight.Protocol;
using Tsdb.Query;

namespace Tsdb.Cluster;

/// <summary>
/// A query node's Flight client to the ingest nodes: one HTTP/2 channel per node, a DoGet of a buffer scan per table
/// read (<see cref="BufferScan"/>), answered with the rows and the catalog version they go with.
/// </summary>
public sealed class IngesterClient(Func<string?> token) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public sealed record Answer(Schema? Schema, IReadOnlyList<RecordBatch> Batches, long CatalogVersion);

    /// <exception cref="RpcException">The node did not answer, or refused.</exception>
    public async Task<Answer> ScanAsync(NodeInfo node, ScanRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var channel = _channels.GetOrAdd(node.AdvertiseUrl, url => GrpcChannel.ForAddress(url, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = null,
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, ConnectTimeout = TimeSpan.FromSeconds(5) },
        }));
        var headers = new Metadata();
        if (token() is { } secret)
        {
            headers.Add("authorization", "Bearer " + secret);
        }
        var client = new FlightService.FlightServiceClient(channel);
        using var call = client.DoGet(new Ticket { Ticket_ = BufferScan.Ticket(request) }, headers, cancellationToken: cancellationToken);
        var decoder = new IpcDecoder();
        var batches = new List<RecordBatch>();
        await foreach (var data in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!data.DataHeader.IsEmpty && decoder.Decode(data.DataHeader.Memory, data.DataBody.Memory) is { } batch && batch.Length > 0)
            {
                batches.Add(batch);
            }
        }
        var version = (await call.ResponseHeadersAsync.ConfigureAwait(false)).GetValue(BufferScan.CatalogVersionHeader);
        return new Answer(decoder.Schema, batches, long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0);
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        _channels.Clear();
    }
}
