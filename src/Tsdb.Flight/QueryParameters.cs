using System.Text.Json;
using Tsdb.Arrow;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Ipc;
using Grpc.Core;

namespace Tsdb.Flight;

/// <summary>Query parameters from a JSON ticket's <c>params</c> object or from a bound Arrow parameter batch.</summary>
internal static class QueryParameters
{
    /// <summary>$name → string, number, boolean or null, as <c>/api/v3/query_sql</c> takes them.</summary>
    public static Dictionary<string, object?> FromJson(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw RpcErrors.Of(StatusCode.InvalidArgument, "\"params\" must be a JSON object of parameter names to values");
        }
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            var name = p.Name.StartsWith('$') ? p.Name[1..] : p.Name;
            parameters[name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                // Cast each arm: a bare conditional would widen the long to double.
                JsonValueKind.Number => p.Value.TryGetInt64(out var l) ? (object)l : p.Value.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => throw RpcErrors.Of(StatusCode.InvalidArgument, $"parameter '{p.Name}' must be a string, number, boolean or null"),
            };
        }
        return parameters;
    }

    /// <summary>
    /// The first row of a parameter batch: each column binds <c>$name</c> by its field name (a leading '$' dropped)
    /// and <c>$N</c> by its position (1-based), so both named and positional placeholders work.
    /// </summary>
    public static Dictionary<string, object?> FromIpcStream(byte[] stream)
    {
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        using var reader = new ArrowStreamReader(new MemoryStream(stream));
        RecordBatch? batch;
        try
        {
            batch = reader.ReadNextBatch();
        }
        catch (ArrowFormatException ex)
        {
            // The handle comes back from the client, which may have altered it: its error, not an INTERNAL one.
            throw RpcErrors.Of(StatusCode.InvalidArgument, $"the prepared statement's parameters are not a valid Arrow IPC stream: {ex.Message}");
        }
        if (batch is null || batch.Length == 0)
        {
            return parameters;
        }
        for (var i = 0; i < batch.ColumnCount; i++)
        {
            var value = Value(batch.Column(i));
            var name = batch.Schema[i].Name;
            parameters[name.StartsWith('$') ? name[1..] : name] = value;
            parameters[(i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        return parameters;
    }

    private static object? Value(ArrowArray column) => column.GetObject(0) switch
    {
        null => null,
        string s => s,
        bool b => b,
        long l => l,
        double d => d,
        int i => (long)i,
        short s => (long)s,
        sbyte s => (long)s,
        uint u => (long)u,
        ushort u => (long)u,
        byte u => (long)u,
        ulong u when u <= long.MaxValue => (long)u,
        float f => (double)f,
        var other => throw RpcErrors.Of(StatusCode.InvalidArgument, $"parameter of type {column.Type} is not supported; bind strings, integers, floats or booleans"),
    };
}
