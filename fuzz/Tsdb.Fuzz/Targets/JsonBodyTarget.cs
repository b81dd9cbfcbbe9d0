using System.Text.Json;
using Tsdb.Server.Http;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: one JSON request body through what the endpoints do with it: <c>JsonBody.Parse</c> (UTF-8 check, then
/// <c>JsonDocument.Parse</c>) and
/// <c>QueryEndpoints.ReadParameters</c> (query <c>params</c>), <c>TokenEndpoints.ParseCreateRequest</c>
/// (<c>POST /api/v3/configure/token</c>), the <c>predicate</c> of <c>/api/v2/delete</c> through
/// <c>DeletePredicateParser.TryParse</c>, and the source-generated <c>DatabaseRequest</c>/<c>TableRequest</c> of the
/// configure endpoints with their <c>retention_period</c> through <c>AdminEndpoints.TryRetention</c> and a table's
/// <c>tags</c> and <c>fields</c> through <c>AdminEndpoints.TryColumns</c>. Only
/// <see cref="JsonException"/> (answered 400) may come out; everything after parsing answers with an error value. A
/// retention period accepted must be positive (a negative one expires every row).
/// </summary>
internal sealed class JsonBodyTarget : FuzzTarget
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override string Name => "json-body";

    public override string Contract => "JsonBody.Parse then ReadParameters/ParseCreateRequest/DeletePredicateParser, JsonContext TableRequest/DatabaseRequest then TryRetention and TryColumns: only JsonException";

    public override void Run(byte[] input)
    {
        try
        {
            using var document = JsonBody.Parse(input);
            var root = document.RootElement;
            _ = QueryEndpoints.ReadParameters(root, out _);
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("params", out var p))
            {
                _ = QueryEndpoints.ReadParameters(p, out _);
            }
            _ = TokenEndpoints.ParseCreateRequest(root, Now);
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("predicate", out var predicate) && predicate.ValueKind == JsonValueKind.String)
            {
                _ = DeletePredicateParser.TryParse(predicate.GetString()!, out _, out _, out _);
            }
        }
        catch (JsonException)
        {
            // Not JSON: the typed reads below still see the bytes, as the configure endpoints would.
        }
        try
        {
            var database = JsonSerializer.Deserialize(input, JsonContext.Relaxed.DatabaseRequest);
            CheckRetention(database?.RetentionPeriod);
        }
        catch (JsonException)
        {
            // The endpoint answers 400; the table request below is another endpoint's reading of the same bytes.
        }
        var table = JsonSerializer.Deserialize(input, JsonContext.Relaxed.TableRequest);
        CheckRetention(table?.RetentionPeriod);
        if (table is not null)
        {
            _ = AdminEndpoints.TryColumns(table, out _, out _);
        }
    }

    private static void CheckRetention(string? text)
    {
        if (AdminEndpoints.TryRetention(text, out var period, out _) && period is { } p && p <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"retention_period '{text}' was accepted as {p}");
        }
    }

    public override bool IsExpected(Exception exception) => exception is JsonException;
}
