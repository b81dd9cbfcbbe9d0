using System.Text.Json.Serialization;

namespace Tsdb.Server.Http;

internal sealed record V3Error([property: JsonPropertyName("error")] string Error);

internal sealed record V2Error([property: JsonPropertyName("code")] string Code, [property: JsonPropertyName("message")] string Message);

internal sealed record LineErrorItem(
    [property: JsonPropertyName("original_line")] string OriginalLine,
    [property: JsonPropertyName("line_number")] int LineNumber,
    [property: JsonPropertyName("error_message")] string ErrorMessage);

internal sealed record PartialWriteError([property: JsonPropertyName("error")] string Error, [property: JsonPropertyName("data")] IReadOnlyList<LineErrorItem> Data);

internal sealed record WholeWriteError([property: JsonPropertyName("error")] string Error, [property: JsonPropertyName("data")] LineErrorItem Data);

internal sealed record PingResponse(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("revision")] string Revision,
    [property: JsonPropertyName("process_id")] string ProcessId);

internal sealed record DatabaseRequest([property: JsonPropertyName("db")] string? Db, [property: JsonPropertyName("retention_period")] string? RetentionPeriod = null);

internal sealed record TableFieldRequest([property: JsonPropertyName("name")] string? Name, [property: JsonPropertyName("type")] string? Type);

internal sealed record TableRequest(
    [property: JsonPropertyName("db")] string? Db,
    [property: JsonPropertyName("table")] string? Table,
    [property: JsonPropertyName("tags")] IReadOnlyList<string>? Tags = null,
    [property: JsonPropertyName("fields")] IReadOnlyList<TableFieldRequest>? Fields = null,
    [property: JsonPropertyName("retention_period")] string? RetentionPeriod = null);

internal sealed record TableItem(
    [property: JsonPropertyName("table_name")] string Name,
    [property: JsonPropertyName("retention_period")] string? RetentionPeriod,
    [property: JsonPropertyName("effective_retention_period")] string? EffectiveRetentionPeriod);

internal sealed record FileItem(
    [property: JsonPropertyName("database")] string Database,
    [property: JsonPropertyName("table")] string Table,
    [property: JsonPropertyName("partition")] string Partition,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("min_time")] long MinTime,
    [property: JsonPropertyName("max_time")] long MaxTime,
    [property: JsonPropertyName("row_count")] long RowCount,
    [property: JsonPropertyName("size_bytes")] long SizeBytes,
    [property: JsonPropertyName("max_sequence")] long MaxSequence,
    [property: JsonPropertyName("level")] int Level,
    [property: JsonPropertyName("node"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Node = null);

internal sealed record PersistResponse([property: JsonPropertyName("files")] int Files, [property: JsonPropertyName("rows")] long Rows, [property: JsonPropertyName("wal_sequence")] long WalSequence);

internal sealed record CompactResponse([property: JsonPropertyName("partitions")] int Partitions, [property: JsonPropertyName("files_removed")] int FilesRemoved, [property: JsonPropertyName("files_written")] int FilesWritten);

internal sealed record DatabaseItem([property: JsonPropertyName("iox::database")] string Name, [property: JsonPropertyName("retention_period")] string? RetentionPeriod = null);

[JsonSerializable(typeof(V3Error))]
[JsonSerializable(typeof(V2Error))]
[JsonSerializable(typeof(PartialWriteError))]
[JsonSerializable(typeof(WholeWriteError))]
[JsonSerializable(typeof(PingResponse))]
[JsonSerializable(typeof(DatabaseRequest))]
[JsonSerializable(typeof(List<DatabaseItem>))]
[JsonSerializable(typeof(TableRequest))]
[JsonSerializable(typeof(List<TableItem>))]
[JsonSerializable(typeof(PersistResponse))]
[JsonSerializable(typeof(List<FileItem>))]
[JsonSerializable(typeof(CompactResponse))]
internal sealed partial class JsonContext : JsonSerializerContext
{
    /// <summary>Serialises without escaping quotes and apostrophes as \u0022 / \u0027, so messages read as written.</summary>
    public static JsonContext Relaxed { get; } = new(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
