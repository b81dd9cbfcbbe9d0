namespace Tsdb.Query.Functions;

internal static class TimeFunctions
{
    public static void Register(List<ScalarFunction> into)
    {
    }
}
