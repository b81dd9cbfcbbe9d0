using System.Globalization;

namespace Tsdb.Query.Plans;

/// <summary>One value column of a <see cref="GapFillPlan"/> and how its gaps are filled; <see cref="Value"/> is the constant of <see cref="GapFillStrategy.Default"/>.</summary>
public sealed record GapFillColumn(int Column, GapFillStrategy Strategy, object? Value = null)
{
    public string Describe(string name) => Strategy switch
    {
        GapFillStrategy.Locf => $"locf({name})",
        GapFillStrategy.Interpolate => $"interpolate({name})",
        GapFillStrategy.Default => string.Create(CultureInfo.InvariantCulture, $"coalesce({name}, {Value})"),
        _ => name,
    };
}
