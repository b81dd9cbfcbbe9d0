namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>
/// One series line of a <c>load</c> block or of an expected result. A slot is a float (<see cref="Values"/>), a native
/// histogram (<see cref="Histograms"/>, its float slot null) or neither (<c>_</c>, no sample).
/// </summary>
internal sealed record ScriptSeries(Labels Labels, List<double?> Values, List<FloatHistogram?> Histograms)
{
    public bool HasHistogram => Histograms.Any(h => h is not null);

    public bool HasSample(int i) => Values[i] is not null || Histograms[i] is not null;
}
