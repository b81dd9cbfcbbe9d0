using Google.Protobuf.WellKnownTypes;

namespace Tsdb.Flight;

/// <summary>
/// What a DoGet ticket asks for: SQL text with its parameters, or a Flight SQL command, on a database; and, for
/// tickets from GetFlightInfo, the id of the result computed then.
/// </summary>
internal sealed record FlightQuery(string? Database, string? Sql, IReadOnlyDictionary<string, object?>? Parameters, Any? Command, string? ResultId);
