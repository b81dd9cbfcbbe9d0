using System.Text.Json;
using System.Text.Unicode;

namespace Tsdb.Server.Http;

/// <summary>
/// Parses a JSON request body. <see cref="JsonDocument"/> does not check that strings are UTF-8: it only fails when one
/// is read, with an <see cref="InvalidOperationException"/> that no endpoint expects (a 500 where the client sent
/// a bad body, found by the json-body fuzz target). Bodies are checked first, so bad bytes are a
/// <see cref="JsonException"/> and the endpoints' 400 like any other bad JSON (Flight tickets do the same).
/// </summary>
internal static class JsonBody
{
    public static async Task<JsonDocument> ParseAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Parse(buffer.ToArray());
    }

    public static JsonDocument Parse(ReadOnlyMemory<byte> bytes)
    {
        if (!Utf8.IsValid(bytes.Span))
        {
            throw new JsonException("the body is not valid UTF-8");
        }
        return JsonDocument.Parse(bytes);
    }
}
