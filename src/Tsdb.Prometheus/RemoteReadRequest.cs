using Google.Protobuf;
using Tsdb.Core.Compression;
using Tsdb.Prometheus.Protocol.V1;
using Tsdb.PromQL;
using LabelMatcher = Tsdb.PromQL.LabelMatcher;
using MatchType = Tsdb.PromQL.MatchType;

namespace Tsdb.Prometheus;

/// <summary>A decoded remote-read <c>ReadRequest</c>: its queries as PromQL matchers and the response type chosen.</summary>
public sealed class RemoteReadRequest
{
    /// <summary>Largest decoded body; a ReadRequest is a few matchers per query, so far less than a write's 32 MiB.</summary>
    public const int MaxDecodedBytes = 4 << 20;

    private RemoteReadRequest(IReadOnlyList<RemoteReadQuery> queries, bool streamed)
    {
        Queries = queries;
        Streamed = streamed;
    }

    public IReadOnlyList<RemoteReadQuery> Queries { get; }

    /// <summary>STREAMED_XOR_CHUNKS when the client accepts it (first, as Prometheus' handler picks the first it supports), else SAMPLES.</summary>
    public bool Streamed { get; }

    /// <summary>Decodes a snappy-compressed ReadRequest; <see cref="RemoteReadException"/> says what is wrong.</summary>
    public static RemoteReadRequest Decode(ReadOnlySpan<byte> compressed)
    {
        byte[] buffer;
        try
        {
            var length = Snappy.GetDecompressedLength(compressed);
            if (length > MaxDecodedBytes)
            {
                throw new RemoteReadException($"the snappy body decodes to {length} bytes, more than the limit of {MaxDecodedBytes}");
            }
            buffer = new byte[length];
            Snappy.Decompress(compressed, buffer);
        }
        catch (InvalidDataException e)
        {
            throw new RemoteReadException($"the body is not snappy (block format) data: {e.Message}", e);
        }
        ReadRequest message;
        try
        {
            message = ReadRequest.Parser.ParseFrom(buffer);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RemoteReadException($"the body is not a valid prometheus.ReadRequest protobuf message: {e.Message}", e);
        }
        var streamed = false;
        if (message.AcceptedResponseTypes.Count > 0)
        {
            // The first type the client lists that we support; both are supported, so the first known one.
            var first = message.AcceptedResponseTypes.FirstOrDefault(t => t is ReadRequest.Types.ResponseType.Samples or ReadRequest.Types.ResponseType.StreamedXorChunks, (ReadRequest.Types.ResponseType)(-1));
            if ((int)first < 0)
            {
                throw new RemoteReadException($"server does not support any of the requested response types: {string.Join(", ", message.AcceptedResponseTypes)}; supported: SAMPLES, STREAMED_XOR_CHUNKS");
            }
            streamed = first == ReadRequest.Types.ResponseType.StreamedXorChunks;
        }
        var queries = new List<RemoteReadQuery>(message.Queries.Count);
        foreach (var query in message.Queries)
        {
            var matchers = new List<LabelMatcher>(query.Matchers.Count);
            foreach (var m in query.Matchers)
            {
                var type = m.Type switch
                {
                    Protocol.V1.LabelMatcher.Types.Type.Eq => MatchType.Equal,
                    Protocol.V1.LabelMatcher.Types.Type.Neq => MatchType.NotEqual,
                    Protocol.V1.LabelMatcher.Types.Type.Re => MatchType.RegexMatch,
                    Protocol.V1.LabelMatcher.Types.Type.Nre => MatchType.RegexNoMatch,
                    _ => throw new RemoteReadException($"invalid matcher type {(int)m.Type} for label {m.Name}"),
                };
                var matcher = new LabelMatcher(m.Name, type, m.Value);
                if (type is MatchType.RegexMatch or MatchType.RegexNoMatch && PromQLEngine.DescribeRegexError(m.Value) is { } error)
                {
                    throw new RemoteReadException($"invalid regular expression in matcher {m.Name}: {error}");
                }
                matchers.Add(matcher);
            }
            if (query.EndTimestampMs < query.StartTimestampMs)
            {
                throw new RemoteReadException($"query {queries.Count}: end_timestamp_ms {query.EndTimestampMs} is before start_timestamp_ms {query.StartTimestampMs}");
            }
            queries.Add(new RemoteReadQuery(matchers, query.StartTimestampMs, query.EndTimestampMs));
        }
        return new RemoteReadRequest(queries, streamed);
    }
}

/// <summary>One query of a ReadRequest: matchers and an inclusive time range in milliseconds (hints are not needed to answer).</summary>
public sealed record RemoteReadQuery(IReadOnlyList<LabelMatcher> Matchers, long StartMs, long EndMs);
