using System.Text;
using Tsdb.Query.InfluxQL;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: the <c>q</c> of <c>/query</c> as UTF-8 text through <see cref="InfluxQLParser.ParseQuery"/> (every
/// statement of it). Only <see cref="InfluxQLParseException"/> may come out.
/// </summary>
internal sealed class InfluxQLTarget : FuzzTarget
{
    public override string Name => "influxql";

    public override string Contract => "InfluxQLParser.ParseQuery: only InfluxQLParseException";

    public override void Run(byte[] input)
    {
        var statements = InfluxQLParser.ParseQuery(Encoding.UTF8.GetString(input));
        foreach (var statement in statements)
        {
            _ = statement.ToString();
        }
    }

    public override bool IsExpected(Exception exception) => exception is InfluxQLParseException;
}
