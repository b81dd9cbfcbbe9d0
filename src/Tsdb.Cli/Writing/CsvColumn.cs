namespace Tsdb.Cli.Writing;

/// <summary>What a CSV column becomes in line protocol.</summary>
internal enum CsvColumnKind
{
    Measurement,
    Tag,
    Field,
    Time,
    Ignore,
}

/// <summary>The type a CSV field column is written as; <see cref="Auto"/> guesses per value (number → float, true/false → boolean, else string).</summary>
internal enum CsvFieldType
{
    Auto,
    Float,
    Integer,
    UInteger,
    String,
    Boolean,
}

/// <summary>One column of a CSV header, e.g. <c>tag:host</c>, <c>field:usage:float</c>, <c>time</c>.</summary>
internal sealed record CsvColumn(CsvColumnKind Kind, string Name, CsvFieldType Type = CsvFieldType.Auto);
