using Google.Protobuf.WellKnownTypes;

namespace Tsdb.Flight;

/// <summary>
/// What a DoGet ticket asks for: query text (SQL, or InfluxQL when <see cref="InfluxQL"/>) with its parameters, or a
/// Flight SQL command, on a database.
/// </summary>
internal sealed record FlightQuery(string? Database, string? Sql, IReadOnlyDictionary<string, object?>? Parameters, Any? Command, bool InfluxQL = false);
