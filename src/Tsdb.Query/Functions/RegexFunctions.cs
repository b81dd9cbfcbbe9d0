namespace Tsdb.Query.Functions;

internal static class RegexFunctions
{
    public static void Register(List<ScalarFunction> into)
    {
    }
}
