using System.Text.Json;

namespace Tsdb.EndToEnd.Tests;

/// <summary>Reads a table back through <c>/api/v3/export</c> as a list of JSON rows.</summary>
internal static class Export
{
    public static async Task<List<JsonElement>> RowsAsync(HttpClient client, string db, string table)
    {
        var response = await client.GetAsync($"/api/v3/export?db={Uri.EscapeDataString(db)}&table={Uri.EscapeDataString(table)}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync();
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }
}
