namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>The <c>fill(…)</c> of a GROUP BY time query; <see cref="Null"/> when absent.</summary>
public enum FillOption
{
    Null,
    None,
    Previous,
    Linear,
    Value,
}
