using System.Text;
using Tsdb.PromQL.Parsing;

namespace Tsdb.PromQL.Engine;

/// <summary>Label-set helpers the evaluator uses for matching, grouping and relabelling.</summary>
internal static class LabelSets
{
    /// <summary>Only the labels named in <paramref name="names"/>.</summary>
    public static Labels Keep(Labels labels, IReadOnlyList<string> names)
    {
        var kept = new List<Label>(names.Count);
        foreach (var label in labels.AsSpan())
        {
            if (Contains(names, label.Name))
            {
                kept.Add(label);
            }
        }
        return kept.Count == labels.Count ? labels : Labels.FromSorted([.. kept]);
    }

    /// <summary>All labels except those in <paramref name="names"/>, and except the metric name when <paramref name="dropName"/>.</summary>
    public static Labels Without(Labels labels, IReadOnlyList<string> names, bool dropName)
    {
        var kept = new List<Label>(labels.Count);
        foreach (var label in labels.AsSpan())
        {
            if ((dropName && label.Name == Labels.MetricName) || Contains(names, label.Name))
            {
                continue;
            }
            kept.Add(label);
        }
        return kept.Count == labels.Count ? labels : Labels.FromSorted([.. kept]);
    }

    public static Labels DropName(Labels labels) => labels.Has(Labels.MetricName) ? Without(labels, [], true) : labels;

    /// <summary>Sets (or with an empty value removes) one label.</summary>
    public static Labels Set(Labels labels, string name, string value)
    {
        var list = new List<Label>(labels.Count + 1);
        var done = false;
        foreach (var label in labels.AsSpan())
        {
            var cmp = string.CompareOrdinal(label.Name, name);
            if (cmp == 0)
            {
                if (value.Length > 0)
                {
                    list.Add(new Label(name, value));
                }
                done = true;
                continue;
            }
            if (cmp > 0 && !done)
            {
                if (value.Length > 0)
                {
                    list.Add(new Label(name, value));
                }
                done = true;
            }
            list.Add(label);
        }
        if (!done && value.Length > 0)
        {
            list.Add(new Label(name, value));
        }
        return Labels.FromSorted([.. list]);
    }

    /// <summary>The matching key of a series for vector matching: the <c>on</c> labels, or all but the <c>ignoring</c> ones and the name.</summary>
    public static Labels Signature(Labels labels, bool on, IReadOnlyList<string> names) =>
        on ? Keep(labels, names) : Without(labels, names, true);

    private static bool Contains(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Prometheus' <c>labels.Labels.String()</c>: <c>{__name__="x", a="b"}</c>.</summary>
    public static string Format(Labels labels)
    {
        var builder = new StringBuilder("{");
        var first = true;
        foreach (var label in labels.AsSpan())
        {
            if (!first)
            {
                builder.Append(", ");
            }
            first = false;
            builder.Append(label.Name).Append('=').Append(Lexer.Quote(label.Value));
        }
        return builder.Append('}').ToString();
    }

    /// <summary>A valid label name: Prometheus 3 accepts any non-empty valid UTF-8.</summary>
    public static bool IsValidLabelName(string name) => name.Length > 0 && Lexer.IsValidUtf8(name);

    /// <summary>Prometheus' labels.Compare (see <see cref="Labels.Compare"/>).</summary>
    public static int Compare(Labels a, Labels b) => Labels.Compare(a, b);
}
