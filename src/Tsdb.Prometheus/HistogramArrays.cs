using Tsdb.Arrow.Arrays;
using Tsdb.PromQL;

namespace Tsdb.Prometheus;

/// <summary>A batch's <see cref="HistogramColumns"/>, read back into histograms row by row.</summary>
internal sealed class HistogramArrays
{
    private readonly DoubleArray _count;
    private readonly DoubleArray _sum;
    private readonly Int64Array _schema;
    private readonly DoubleArray _zeroThreshold;
    private readonly DoubleArray _zeroCount;
    private readonly Int64Array _resetHint;
    private readonly StringArray _positive;
    private readonly StringArray _negative;
    private readonly StringArray _customValues;

    private HistogramArrays(DoubleArray count, DoubleArray sum, Int64Array schema, DoubleArray zeroThreshold, DoubleArray zeroCount,
        Int64Array resetHint, StringArray positive, StringArray negative, StringArray customValues)
    {
        _count = count;
        _sum = sum;
        _schema = schema;
        _zeroThreshold = zeroThreshold;
        _zeroCount = zeroCount;
        _resetHint = resetHint;
        _positive = positive;
        _negative = negative;
        _customValues = customValues;
    }

    /// <summary>The batch's histogram columns; null when it has not all of them with the layout's types.</summary>
    public static HistogramArrays? Of(RecordBatch batch) =>
        batch.Column(HistogramColumns.Count) is DoubleArray count
        && batch.Column(HistogramColumns.Sum) is DoubleArray sum
        && batch.Column(HistogramColumns.Schema) is Int64Array schema
        && batch.Column(HistogramColumns.ZeroThreshold) is DoubleArray zeroThreshold
        && batch.Column(HistogramColumns.ZeroCount) is DoubleArray zeroCount
        && batch.Column(HistogramColumns.ResetHint) is Int64Array resetHint
        && batch.Column(HistogramColumns.Positive) is StringArray positive
        && batch.Column(HistogramColumns.Negative) is StringArray negative
        && batch.Column(HistogramColumns.CustomValues) is StringArray customValues
            ? new HistogramArrays(count, sum, schema, zeroThreshold, zeroCount, resetHint, positive, negative, customValues)
            : null;

    /// <summary>The histogram of a row, or null when a field is null or the text cannot be read.</summary>
    public FloatHistogram? At(int row)
    {
        if (_count.IsNull(row) || _sum.IsNull(row) || _schema.IsNull(row) || _zeroThreshold.IsNull(row) || _zeroCount.IsNull(row)
            || _resetHint.IsNull(row) || _positive.IsNull(row) || _negative.IsNull(row) || _customValues.IsNull(row))
        {
            return null;
        }
        return HistogramColumns.Decode(_count.Values[row], _sum.Values[row], _schema.Values[row], _zeroThreshold.Values[row], _zeroCount.Values[row],
            _resetHint.Values[row], _positive.GetBytes(row), _negative.GetBytes(row), _customValues.GetBytes(row), out _);
    }
}
