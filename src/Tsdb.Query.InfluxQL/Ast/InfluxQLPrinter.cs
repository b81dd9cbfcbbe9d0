namespace Tsdb.Query.InfluxQL.Ast;

/// <summary>Writes a tree back as InfluxQL text. (Placeholder until the parser lands with the real printer.)</summary>
public static class InfluxQLPrinter
{
    public static string Print(InfluxQLNode node) => node.GetType().Name;
}
