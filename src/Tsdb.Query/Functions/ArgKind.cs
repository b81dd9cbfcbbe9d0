namespace Tsdb.Query.Functions;

/// <summary>
/// The types an argument of a registered function may have, checked once when a call is bound. An untyped NULL
/// (<see cref="Tsdb.Arrow.Types.ArrowTypeId.Null"/>) fits every kind: it makes the result NULL, not an error.
/// </summary>
[Flags]
internal enum ArgKind
{
    None = 0,
    Integer = 1,
    Float = 2,
    Number = Integer | Float,

    /// <summary>Utf8, LargeUtf8 or a dictionary of strings (tags).</summary>
    String = 4,
    Timestamp = 8,
    Boolean = 16,
    Any = Number | String | Timestamp | Boolean,
}
