using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Compute;
using Tsdb.Arrow.Ipc;
using Tsdb.Flight.Arrow;
using Tsdb.Flight.Protocol;
using Tsdb.Flight.Protocol.Tsdb;
using Tsdb.Query;
using Tsdb.Query.Chunks;

namespace Tsdb.Flight;

/// <summary>
/// The ingest side of a cluster's buffer reads: a query node's DoGet of a <see cref="BufferScanTicket"/> gets the rows
/// this node holds in its write buffer for one table, deduplicated by the same chunk scan a local query uses, every
/// batch in the table's columns (tags as utf8). The response header <see cref="CatalogVersionHeader"/> carries the
/// catalog version read after the buffer was looked at: rows a persist dropped from the buffer before that are in
/// files of that version, so a query node at that version or later misses none (and the merge makes rows seen twice
/// harmless).
/// </summary>
public static class BufferScan
{
    public const string CatalogVersionHeader = "tsdb-catalog-version";

    /// <summary>The ticket a query node sends for <paramref name="request"/>.</summary>
    public static ByteString Ticket(ScanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ticket = new BufferScanTicket { Database = request.Database, Table = request.Table, HasColumns = request.Columns is not null };
        if (request.Columns is { } columns)
        {
            ticket.Columns.AddRange(columns);
        }
        if (request.FromTime is { } from)
        {
            ticket.FromTime = from;
        }
        if (request.ToTime is { } to)
        {
            ticket.ToTime = to;
        }
        foreach (var (tag, values) in request.TagValues)
        {
            var allowed = new TagValues { Tag = tag };
            allowed.Values.AddRange(values);
            ticket.TagValues.Add(allowed);
        }
        return Any.Pack(ticket).ToByteString();
    }

    internal static BufferScanTicket? TryDecode(ByteString ticket)
    {
        if (ticket.IsEmpty || ticket.Span[0] == (byte)'{')
        {
            return null;
        }
        try
        {
            var any = Any.Parser.ParseFrom(ticket);
            return TicketDecoder.TypeName(any) == BufferScanTicket.Descriptor.FullName ? BufferScanTicket.Parser.ParseFrom(any.Value) : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    internal static ScanRequest RequestOf(BufferScanTicket ticket) => new(ticket.Database, ticket.Table)
    {
        Columns = ticket.HasColumns ? [.. ticket.Columns] : null,
        FromTime = ticket.HasFromTime ? ticket.FromTime : null,
        ToTime = ticket.HasToTime ? ticket.ToTime : null,
        TagValues = ticket.TagValues.ToDictionary(t => t.Tag, t => (IReadOnlyList<string>)[.. t.Values], StringComparer.Ordinal),
    };

    internal static async Task ServeAsync(BufferScanTicket ticket, ITableSource buffer, Catalog.Catalog catalog, int targetBytes, IServerStreamWriter<FlightData> output, ServerCallContext context)
    {
        var request = RequestOf(ticket);
        var chunks = await buffer.GetChunksAsync(request, context.CancellationToken).ConfigureAwait(false);
        // After the buffer was looked at: see the class comment.
        await context.WriteResponseHeadersAsync(new Metadata { { CatalogVersionHeader, catalog.Current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) } }).ConfigureAwait(false);
        if (chunks.Columns is not { } table)
        {
            throw RpcErrors.Of(StatusCode.NotFound, $"table '{request.Table}' not found in database '{request.Database}'");
        }
        var columns = table.Only(request.Columns);
        var plan = new ArrowFlightResult(columns.Schema, [], decodeDictionaries: true, targetBytes);
        var encoder = new IpcEncoder(plan.Schema);
        await output.WriteAsync(FlightData.Encoded(FlightDataEncoding.Parts(encoder.EncodeSchema())), context.CancellationToken).ConfigureAwait(false);
        await foreach (var batch in new FixedChunks(chunks).ScanAsync(request, context.CancellationToken).ConfigureAwait(false))
        {
            var narrowed = Narrow(batch, request);
            if (narrowed.Length > 0)
            {
                await plan.WriteBatchAsync(output, encoder, columns.Conform(narrowed), context.CancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Only the rows in the time range with allowed tag values: a buffered record holds every series written with it,
    /// and a query for one of them should not pull the others over the network (the query node filters exactly again).
    /// </summary>
    internal static RecordBatch Narrow(RecordBatch batch, ScanRequest request)
    {
        var (from, to) = (request.FromTime ?? long.MinValue, request.ToTime ?? long.MaxValue);
        var checks = new List<Func<int, bool>>();
        if (batch.Schema.GetFieldIndex(Tsdb.Catalog.TableDefinition.TimeColumn) is var t and >= 0 && batch.Column(t) is TimestampArray times && (from != long.MinValue || to != long.MaxValue))
        {
            checks.Add(row => times.Values[row] >= from && times.Values[row] <= to);
        }
        foreach (var (tag, values) in request.TagValues)
        {
            var allowed = values.ToHashSet(StringComparer.Ordinal);
            var index = batch.Schema.GetFieldIndex(tag);
            switch (index < 0 ? null : batch.Column(index))
            {
                case null:
                    return batch.Slice(0, 0); // no such tag in these rows: none can equal a value
                case DictionaryArray dictionary when dictionary.Dictionary is StringArray entries:
                    var entryAllowed = new bool[entries.Length];
                    for (var i = 0; i < entries.Length; i++)
                    {
                        entryAllowed[i] = entries.GetString(i) is { } v && allowed.Contains(v);
                    }
                    checks.Add(row => dictionary.IsValid(row) && entryAllowed[dictionary.GetIndex(row)]);
                    break;
                case StringArray strings:
                    checks.Add(row => strings.GetString(row) is { } v && allowed.Contains(v));
                    break;
            }
        }
        if (checks.Count == 0)
        {
            return batch;
        }
        var keep = new List<int>();
        for (var row = 0; row < batch.Length; row++)
        {
            var ok = true;
            foreach (var check in checks)
            {
                if (!check(row))
                {
                    ok = false;
                    break;
                }
            }
            if (ok)
            {
                keep.Add(row);
            }
        }
        return keep.Count == batch.Length ? batch : Selection.Take(batch, [.. keep]);
    }

    /// <summary>The chunks already taken (the catalog version sent belongs to them), as a source for the scan.</summary>
    private sealed class FixedChunks(TableChunks chunks) : ITableSource
    {
        public Tsdb.Arrow.Types.Schema? GetSchema(string database, string table) => chunks.Columns?.Schema;

        public ValueTask<TableChunks> GetChunksAsync(ScanRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(chunks);

        public IReadOnlyList<string> Tables(string database) => [];
    }
}
