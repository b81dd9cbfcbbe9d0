using System.Text.Json;
using System.Text.Json.Nodes;
using Tsdb.Testing;

namespace Tsdb.EndToEnd.Tests;

/// <summary>Sends remote-write requests with the independent encoder in tests/interop/prometheus/remote-write.mjs (protobufjs + snappyjs).</summary>
internal static class RemoteWriteClient
{
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

    /// <summary><paramref name="request"/> is the script's JSON request without url and token.</summary>
    public static Response Send(Uri server, string? token, JsonObject request, string db = "prometheus")
    {
        request["url"] = new Uri(server, $"/api/v1/write?db={Uri.EscapeDataString(db)}").ToString();
        if (token is not null)
        {
            request["token"] = token;
        }
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, request.ToJsonString());
            var result = NodeRunner.Run("prometheus/remote-write.mjs", file).EnsureSuccess("remote-write.mjs");
            var json = JsonDocument.Parse(result.StandardOutput).RootElement;
            var headers = json.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.OrdinalIgnoreCase);
            return new Response(json.GetProperty("status").GetInt32(), headers, json.GetProperty("body").GetString() ?? "");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>One series: labels and [ms, value] samples (value a number or "NaN", "+Inf", "stale" …).</summary>
    public static JsonObject Series(IReadOnlyDictionary<string, string> labels, params (long Ms, object Value)[] samples)
    {
        var labelObject = new JsonObject();
        foreach (var (name, value) in labels)
        {
            labelObject[name] = value;
        }
        var sampleArray = new JsonArray();
        foreach (var (ms, value) in samples)
        {
            sampleArray.Add(new JsonArray(ms, value is string s ? JsonValue.Create(s) : JsonValue.Create(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture))));
        }
        return new JsonObject { ["labels"] = labelObject, ["samples"] = sampleArray };
    }

    public static JsonObject Request(string version, params JsonObject[] series) =>
        new() { ["version"] = version, ["series"] = new JsonArray([.. series]) };
}
