using Tsdb.Core.Compression;
using Tsdb.Prometheus;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: a remote-write body through <c>RemoteWriteDecoder.Decode</c>, the decoder <c>/api/v1/write</c> calls
/// (snappy block, then the 1.0 <c>WriteRequest</c> reader or the 2.0 <c>Request</c> message). Only
/// <see cref="RemoteWriteDecodeException"/> may come out (the endpoint answers it with 400). The <c>-proto</c> targets
/// snappy-compress the input first, so the fuzzer mutates the protobuf message itself rather than the compressed bytes.
/// </summary>
internal sealed class RemoteWriteTarget(string name, RemoteWriteVersion version, bool compressInput) : FuzzTarget
{
    public override string Name => name;

    public override string Contract => $"RemoteWriteDecoder.Decode({version}){(compressInput ? " of the snappy-compressed input" : "")}: only RemoteWriteDecodeException";

    public override void Run(byte[] input)
    {
        var body = compressInput ? Snappy.Compress(input) : input;
        var series = RemoteWriteDecoder.Decode(body, version, "fuzz", new MetricMetadataStore());
        _ = series.Count;
    }

    public override bool IsExpected(Exception exception) => exception is RemoteWriteDecodeException;
}
