namespace Tsdb.LineProtocol;

/// <summary>Where a piece of text sits in a line; each place has its own set of escapable characters.</summary>
public enum EscapeContext
{
    /// <summary>Comma, space and backslash are escaped.</summary>
    Measurement,

    /// <summary>Comma, equals sign, space and backslash are escaped.</summary>
    TagKey,

    /// <summary>Comma, equals sign, space and backslash are escaped.</summary>
    TagValue,

    /// <summary>Comma, equals sign, space and backslash are escaped.</summary>
    FieldKey,

    /// <summary>Double quote and backslash are escaped (the range is the content between the quotes).</summary>
    StringFieldValue,
}
