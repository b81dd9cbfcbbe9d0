namespace Tsdb.Query.Sql;

/// <summary>How a cast was written, so printing gives back the same form.</summary>
public enum CastSyntax
{
    Function,
    DoubleColon,

    /// <summary><c>TIMESTAMP '2016-01-01T00:00:00Z'</c>: a string cast written as a typed literal.</summary>
    TypedLiteral,
}
