using System.Text;
using Tsdb.PromQL;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: a <c>query</c> of the Prometheus API as UTF-8 text through <see cref="PromQLEngine.Validate"/> (the
/// parser every query goes through) and, as a <c>match[]</c> selector, <see cref="PromQLEngine.ParseSelector"/>.
/// Only <see cref="PromQLException"/> may come out.
/// </summary>
internal sealed class PromQLTarget : FuzzTarget
{
    public override string Name => "promql";

    public override string Contract => "PromQLEngine.Validate and PromQLEngine.ParseSelector: only PromQLException";

    public override void Run(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        try
        {
            PromQLEngine.Validate(text);
        }
        catch (PromQLException)
        {
            // Refused as a query; it may still be tried as a selector below.
        }
        _ = PromQLEngine.ParseSelector(text);
    }

    public override bool IsExpected(Exception exception) => exception is PromQLException;
}
