using System.Buffers;
using System.Text;
using System.Text.Json;
using Tsdb.Query.Chunks;

namespace Tsdb.Storage.Chunks;

/// <summary>
/// A file's <see cref="TagTimes"/> in its footer: one key-value pair per tag column, <c>tsdb:tag_times:&lt;column&gt;</c>,
/// whose value is a JSON array of <c>[value, oldest, newest]</c> (times in ns; value null for the rows without the
/// tag). A column with more values than the writer's limit (<see cref="Persistence.StorageOptions.TagTimesMaxValues"/>)
/// has no pair; nor has a file written before they were recorded.
/// </summary>
public static class TagTimesMetadata
{
    public const string KeyPrefix = "tsdb:tag_times:";

    /// <summary>
    /// The most values recorded for one column by default (about 50 bytes each in the footer, decoded once per open
    /// file): lastpoint over thousands of series is what they are for; a column with more is read row by row.
    /// </summary>
    public const int DefaultMaxValues = 65_536;

    public static string Encode(TagTimes times)
    {
        ArgumentNullException.ThrowIfNull(times);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var (value, t) in times.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                Write(json, value, t);
            }
            if (times.Missing is { } missing)
            {
                Write(json, null, missing);
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter json, string? value, KeyTimes times)
    {
        json.WriteStartArray();
        json.WriteStringValue(value);
        json.WriteNumberValue(times.Oldest);
        json.WriteNumberValue(times.Newest);
        json.WriteEndArray();
    }

    /// <exception cref="InvalidDataException">The value is not what <see cref="Encode"/> writes.</exception>
    public static TagTimes Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, KeyTimes>(StringComparer.Ordinal);
        KeyTimes? missing = null;
        var json = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        try
        {
            Expect(ref json, JsonTokenType.StartArray);
            while (Next(ref json) == JsonTokenType.StartArray)
            {
                var value = Next(ref json) switch
                {
                    JsonTokenType.String => json.GetString(),
                    JsonTokenType.Null => null,
                    var other => throw new InvalidDataException($"tag times: a value is {other}, expected a string or null"),
                };
                Expect(ref json, JsonTokenType.Number);
                var oldest = json.GetInt64();
                Expect(ref json, JsonTokenType.Number);
                var times = new KeyTimes(oldest, json.GetInt64());
                Expect(ref json, JsonTokenType.EndArray);
                if (value is null)
                {
                    missing = times;
                }
                else
                {
                    values[value] = times;
                }
            }
            if (json.TokenType != JsonTokenType.EndArray)
            {
                throw new InvalidDataException($"tag times: found {json.TokenType}, expected an entry or the end of the list");
            }
            if (json.Read())
            {
                throw new InvalidDataException($"tag times: found {json.TokenType} after the list");
            }
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new InvalidDataException("tag times: " + e.Message, e);
        }
        return new TagTimes(values, missing);
    }

    private static JsonTokenType Next(ref Utf8JsonReader json) =>
        json.Read() ? json.TokenType : throw new InvalidDataException("tag times: the text ends early");

    private static void Expect(ref Utf8JsonReader json, JsonTokenType type)
    {
        if (Next(ref json) != type)
        {
            throw new InvalidDataException($"tag times: found {json.TokenType}, expected {type}");
        }
    }
}
