namespace Tsdb.Query.Aggregation;

/// <summary>
/// A merging t-digest (Dunning and Ertl, "Computing extremely accurate quantiles using t-digests"): the values as
/// weighted centroids, small near the tails and larger in the middle, bounded by the k1 scale function
/// k(q) = δ/(2π)·asin(2q−1) with compression δ = 200 (each centroid spans at most one unit of k; at δ = 100 the rank
/// error reached 0.6% in the middle and 0.15% at p = 0.01 on 100,000 values, at 200 it stays under 0.5% and 0.05%). New values and merged
/// digests are appended unsorted; once more than <see cref="ExactLimit"/> entries are held they are sorted and merged
/// greedily into centroids. Until then nothing is merged, so a digest of at most that many values is exact.
/// <para>
/// A quantile places each centroid's mean at the centre of the ranks it covers (ranks are 0-based, so a value of
/// weight 1 sits exactly on its rank) and interpolates linearly between neighbouring centres at rank p·(n−1), and
/// between the exact minimum/maximum and the outermost centres. With every weight 1 this is exactly today's
/// interpolation between the neighbouring order statistics.
/// </para>
/// <para>
/// Accuracy on 100,000 values (AggregationTDigestTests): rank error below 0.05% for p ≤ 0.01 and p ≥ 0.99 and below 0.5% in the
/// middle, where a centroid may span π/δ ≈ 1.6% of the ranks and centroids built in different flushes overlap. With
/// heavy duplicates an estimate can fall between two neighbouring repeated values (interpolation assumes a continuous
/// distribution): with 12 distinct values, up to about 2% in rank.
/// </para>
/// </summary>
internal sealed class TDigest
{
    public const double Compression = 200;

    /// <summary>Entries held before merging: up to this many values the digest is exact.</summary>
    public const int ExactLimit = 500;

    private double[] _means = new double[4];
    private double[] _weights = new double[4];
    private int _size;
    private double _total;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    /// <summary>How many values went in (merged digests included).</summary>
    public long Count => (long)_total;

    /// <summary>Entries held (centroids plus values not merged yet).</summary>
    public int Entries => _size;

    public long MemoryBytes => 64 + ((long)_means.Length * 2 * sizeof(double));

    /// <summary>Adds one value (never NaN: the caller skips those).</summary>
    public void Add(double value)
    {
        Append(value, 1);
        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
        if (_size > ExactLimit)
        {
            Compress();
        }
    }

    /// <summary>Adds every centroid of <paramref name="other"/>; merging is lossless until the next compression.</summary>
    public void Merge(TDigest other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < other._size; i++)
        {
            Append(other._means[i], other._weights[i]);
        }
        if (other._total > 0)
        {
            _min = Math.Min(_min, other._min);
            _max = Math.Max(_max, other._max);
        }
        if (_size > ExactLimit)
        {
            Compress();
        }
    }

    /// <summary>The estimated value at fraction <paramref name="p"/> (0 to 1) of the ordered values; NaN when empty.</summary>
    public double Quantile(double p)
    {
        if (_size == 0)
        {
            return double.NaN;
        }
        Sort();   // reorders entries only; the digest's contents stay the same
        var means = _means;
        var weights = _weights;
        var last = _size - 1;
        var rank = p * (_total - 1);
        if (rank <= 0 || rank >= _total - 1)
        {
            // The exact extremes: the first entry need not hold the minimum (a singleton that came after the minimum
            // was merged into a centroid may order before that centroid's mean).
            return rank <= 0 ? _min : _max;
        }
        // Centre rank of entry i: the ranks before it plus half its own span.
        var before = 0.0;
        var centre = (weights[0] - 1) / 2;
        if (rank <= centre)
        {
            return centre <= 0 || rank >= centre ? means[0] : _min + (rank / centre * (means[0] - _min));
        }
        for (var i = 0; i < last; i++)
        {
            before += weights[i];
            var next = before + ((weights[i + 1] - 1) / 2);
            if (rank < next)
            {
                return means[i] + ((rank - centre) / (next - centre) * (means[i + 1] - means[i]));
            }
            centre = next;
        }
        // Past the last centre: towards the exact maximum (a last entry of weight 1 is the maximum itself).
        var end = _total - 1;
        return centre >= end ? means[last] : rank >= end ? _max : means[last] + ((rank - centre) / (end - centre) * (_max - means[last]));
    }

    private void Append(double mean, double weight)
    {
        if (_size == _means.Length)
        {
            var capacity = Math.Min(_size * 2, ExactLimit + 1);
            capacity = Math.Max(capacity, _size + 1);
            Array.Resize(ref _means, capacity);
            Array.Resize(ref _weights, capacity);
        }
        _means[_size] = mean;
        _weights[_size] = weight;
        _size++;
        _total += weight;
    }

    private void Sort() => Array.Sort(_means, _weights, 0, _size);

    /// <summary>Sorts the entries and merges neighbours while the merged centroid spans at most one unit of k.</summary>
    private void Compress()
    {
        Sort();
        var means = _means;
        var weights = _weights;
        var total = _total;
        var written = 0;
        var before = 0.0;
        var mean = means[0];
        var weight = weights[0];
        var limit = total * QuantileLimit(0);
        for (var i = 1; i < _size; i++)
        {
            var w = weights[i];
            if (before + weight + w <= limit)
            {
                weight += w;
                mean += (means[i] - mean) * w / weight;   // running weighted mean: no large sums to cancel
                continue;
            }
            means[written] = mean;
            weights[written] = weight;
            written++;
            before += weight;
            limit = total * QuantileLimit(before / total);
            mean = means[i];
            weight = w;
        }
        means[written] = mean;
        weights[written] = weight;
        _size = written + 1;
    }

    /// <summary>The largest q a centroid starting at <paramref name="q0"/> may reach: k⁻¹(k(q0) + 1).</summary>
    private static double QuantileLimit(double q0)
    {
        var k = (Compression / (2 * Math.PI) * Math.Asin((2 * Math.Clamp(q0, 0, 1)) - 1)) + 1;
        return k >= Compression / 4 ? 1 : (Math.Sin(k * 2 * Math.PI / Compression) + 1) / 2;
    }
}
