namespace Tsdb.PromQL;

/// <summary>One label: a name and its value.</summary>
public readonly record struct Label(string Name, string Value);

/// <summary>
/// A series' label set, sorted by name (ordinal), names unique, no empty values. The metric name is the label
/// <c>__name__</c>. Immutable; equality and hash are by content.
/// </summary>
public sealed class Labels : IEquatable<Labels>, IReadOnlyList<Label>
{
    public const string MetricName = "__name__";

    public static readonly Labels Empty = new([]);

    private readonly Label[] _labels;
    private int _hash;

    private Labels(Label[] sorted) => _labels = sorted;

    /// <summary>Builds a label set: sorts by name, drops empty values (Prometheus treats them as absent).</summary>
    public static Labels From(IEnumerable<Label> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var array = labels.Where(l => l.Value.Length > 0).ToArray();
        Array.Sort(array, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (var i = 1; i < array.Length; i++)
        {
            if (array[i].Name == array[i - 1].Name)
            {
                throw new ArgumentException($"label '{array[i].Name}' appears twice", nameof(labels));
            }
        }
        return new Labels(array);
    }

    public static Labels From(params (string Name, string Value)[] labels) =>
        From(labels.Select(l => new Label(l.Name, l.Value)));

    /// <summary>
    /// Labels already in name order with unique names and non-empty values, as a storage reader produces them: checked
    /// in one pass and copied, no sort. Throws <see cref="ArgumentException"/> when they are not.
    /// </summary>
    public static Labels FromOrdered(ReadOnlySpan<Label> labels)
    {
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i].Value.Length == 0)
            {
                throw new ArgumentException($"label '{labels[i].Name}' has an empty value", nameof(labels));
            }
            if (i > 0 && string.CompareOrdinal(labels[i - 1].Name, labels[i].Name) >= 0)
            {
                throw new ArgumentException($"labels are not in strictly ascending name order at '{labels[i].Name}'", nameof(labels));
            }
        }
        return labels.Length == 0 ? Empty : new Labels(labels.ToArray());
    }

    /// <summary>Wraps labels already sorted by name with unique names and no empty values (not re-checked).</summary>
    internal static Labels FromSorted(Label[] sorted) => sorted.Length == 0 ? Empty : new Labels(sorted);

    internal ReadOnlySpan<Label> AsSpan() => _labels;

    public int Count => _labels.Length;

    public Label this[int index] => _labels[index];

    /// <summary>The value of <paramref name="name"/>, or "" when absent.</summary>
    public string Get(string name)
    {
        foreach (var label in _labels)
        {
            if (label.Name == name)
            {
                return label.Value;
            }
        }
        return "";
    }

    public bool Has(string name) => Get(name).Length > 0;

    public string Name => Get(MetricName);

    /// <summary>Prometheus' order of label sets (<c>labels.Compare</c>): label by label, name then value, ordinal; a prefix first.</summary>
    public static IComparer<Labels> Order { get; } = Comparer<Labels>.Create(Compare);

    public static int Compare(Labels? a, Labels? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }
        var n = Math.Min(a._labels.Length, b._labels.Length);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(a._labels[i].Name, b._labels[i].Name);
            if (c != 0)
            {
                return c;
            }
            c = string.CompareOrdinal(a._labels[i].Value, b._labels[i].Value);
            if (c != 0)
            {
                return c;
            }
        }
        return a._labels.Length.CompareTo(b._labels.Length);
    }

    public bool Equals(Labels? other)
    {
        if (other is null || other._labels.Length != _labels.Length)
        {
            return false;
        }
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        for (var i = 0; i < _labels.Length; i++)
        {
            if (_labels[i] != other._labels[i])
            {
                return false;
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as Labels);

    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var hash = new HashCode();
            foreach (var label in _labels)
            {
                hash.Add(label.Name, StringComparer.Ordinal);
                hash.Add(label.Value, StringComparer.Ordinal);
            }
            _hash = hash.ToHashCode() | 1;
        }
        return _hash;
    }

    public IEnumerator<Label> GetEnumerator() => ((IEnumerable<Label>)_labels).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _labels.GetEnumerator();

    /// <summary>Prometheus' text form: <c>name{a="1", b="2"}</c>.</summary>
    public override string ToString()
    {
        var name = Name;
        var rest = _labels.Where(l => l.Name != MetricName).Select(l => $"{l.Name}=\"{Escape(l.Value)}\"");
        return name + "{" + string.Join(", ", rest) + "}";
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
