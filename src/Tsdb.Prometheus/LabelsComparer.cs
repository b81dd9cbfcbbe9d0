using Tsdb.PromQL;

namespace Tsdb.Prometheus;

/// <summary>Prometheus' order of label sets (<c>labels.Compare</c>): label by label, name then value, ordinal; a prefix first.</summary>
public sealed class LabelsComparer : IComparer<Labels>
{
    public static readonly LabelsComparer Instance = new();

    public int Compare(Labels? x, Labels? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }
        var n = Math.Min(x.Count, y.Count);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(x[i].Name, y[i].Name);
            if (c != 0)
            {
                return c;
            }
            c = string.CompareOrdinal(x[i].Value, y[i].Value);
            if (c != 0)
            {
                return c;
            }
        }
        return x.Count.CompareTo(y.Count);
    }
}
