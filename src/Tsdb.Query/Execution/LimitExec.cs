using System.Globalization;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>OFFSET/LIMIT over a stream: stops pulling its input once it has enough.</summary>
internal sealed class LimitExec(ExecutionPlan input, long skip, long? fetch) : ExecutionPlan
{
    public override Schema Schema => input.Schema;

    public override IReadOnlyList<ExecutionPlan> Children => [input];

    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"LimitExec: skip={skip}, fetch={(fetch is { } f ? f.ToString(CultureInfo.InvariantCulture) : "None")}");

    protected override async IAsyncEnumerable<RecordBatch> ExecuteCoreAsync(TaskContext context)
    {
        if (fetch is 0)
        {
            yield break;
        }
        var toSkip = skip;
        long sent = 0;
        await foreach (var batch in input.ExecuteAsync(context).ConfigureAwait(false))
        {
            var b = batch;
            if (toSkip > 0)
            {
                if (b.Length <= toSkip)
                {
                    toSkip -= b.Length;
                    continue;
                }
                b = b.Slice((int)toSkip, b.Length - (int)toSkip);
                toSkip = 0;
            }
            if (fetch is { } f && sent + b.Length > f)
            {
                b = b.Slice(0, (int)(f - sent));
            }
            sent += b.Length;
            if (b.Length > 0)
            {
                yield return b;
            }
            if (fetch is { } max && sent >= max)
            {
                yield break;
            }
        }
    }
}
