using System.Diagnostics.CodeAnalysis;
using Tsdb.Arrow.Types;
using Tsdb.Query.Functions;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// The aggregate functions by name, each with its signature check and accumulator. The checks and their messages are
/// today's engine's (Aggregates, QueryEngine.CollectAggregates): DISTINCT only for count, ORDER BY only for
/// first_value/last_value, numeric arguments for the arithmetic aggregates.
/// </summary>
public static class AggregateFunctions
{
    private static readonly Dictionary<string, AggregateFunction> Functions = Build();

    public static IReadOnlyCollection<string> Names => Functions.Keys;

    public static bool TryGet(string name, [MaybeNullWhen(false)] out AggregateFunction function) =>
        Functions.TryGetValue(name, out function);

    private static Dictionary<string, AggregateFunction> Build()
    {
        var functions = new Dictionary<string, AggregateFunction>(StringComparer.Ordinal);
        void Add(string name, Func<IReadOnlyList<ArrowType>, AggregateCallOptions, ArrowType> returnType, Func<IReadOnlyList<ArrowType>, AggregateCallOptions, IGroupsAccumulator> create) =>
            functions.Add(name, new AggregateFunction(name, returnType, create));

        Add("count", CountType, (types, options) =>
            types.Count == 0 ? new CountAccumulator(star: true)
            : options.Distinct ? DistinctKeys.Create(types[0])
            : new CountAccumulator(star: false));
        Add("sum", (types, options) => SumType(types, options), (types, options) => SumType(types, options).Id switch
        {
            ArrowTypeId.Int64 => new SumAccumulator<long>(ArrowType.Int64),
            ArrowTypeId.UInt64 => new SumAccumulator<ulong>(ArrowType.UInt64),
            _ => new SumAccumulator<double>(ArrowType.Float64),
        });
        foreach (var name in (string[])["avg", "mean"])
        {
            Add(name, (types, options) => Numeric(name, types, options), (_, _) => new AverageAccumulator());
        }
        foreach (var name in (string[])["variance", "var_samp", "var", "var_pop", "stddev", "stddev_samp", "stddev_pop"])
        {
            var population = name is "var_pop" or "stddev_pop";
            var root = name.StartsWith("stddev", StringComparison.Ordinal);
            Add(name, (types, options) => Numeric(name, types, options), (_, _) => new VarianceAccumulator(population, root));
        }
        Add("median", MedianType, (types, options) => MedianType(types, options).Id switch
        {
            ArrowTypeId.Int64 => new MedianAccumulator<long>(ArrowType.Int64, NumericReader.Longs),
            ArrowTypeId.UInt64 => new MedianAccumulator<ulong>(ArrowType.UInt64, input => NumericReader.UInt64Values(input)),
            _ => new MedianAccumulator<double>(ArrowType.Float64, NumericReader.Doubles),
        });
        Add("approx_percentile_cont", PercentileType, (_, options) => new PercentileAccumulator(Fraction(options.Parameter)));
        foreach (var name in (string[])["min", "max"])
        {
            var max = name == "max";
            Add(name, (types, options) => MinMaxType(name, types, options), (types, _) => new MinMaxAccumulator(GroupValues.Create(types[0], utf16Order: true), max));
        }
        foreach (var name in (string[])["first_value", "last_value"])
        {
            var last = name == "last_value";
            Add(name, (types, options) => FirstLastType(name, types, options), (types, options) =>
            {
                var keys = new int[options.OrderBy.Count];
                for (var k = 0; k < keys.Length; k++)
                {
                    keys[k] = k + 1;
                }
                return new OrderedPickAccumulator(types, 0, keys, [.. options.OrderBy], last, skipNullArgument: -1, selector: false);
            });
        }
        foreach (var name in (string[])["selector_first", "selector_last", "selector_min", "selector_max"])
        {
            var byTime = name is "selector_first" or "selector_last";
            var last = name is "selector_last" or "selector_max";
            Add(name, (types, options) => SelectorType(name, types, options), (types, options) =>
                new OrderedPickAccumulator(types, (string)options.Parameter! == "time" ? 1 : 0, [byTime ? 1 : 0], [(false, false)], last, skipNullArgument: 0, selector: true));
        }
        // InfluxQL's mode(value, time): the most frequent value, ties broken by time as 1.x does.
        Add("mode", ModeType, (types, _) => new ModeAccumulator(types[0].Id == ArrowTypeId.Dictionary ? ArrowType.Utf8 : types[0]));
        return functions;
    }

    private static ArrowType ModeType(IReadOnlyList<ArrowType> types, AggregateCallOptions options)
    {
        Plain("mode", options);
        if (types.Count != 2 || types[1].Id != ArrowTypeId.Timestamp)
        {
            throw new FunctionException("mode takes a value and a time");
        }
        return types[0].Id switch
        {
            ArrowTypeId.Float64 or ArrowTypeId.Int64 or ArrowTypeId.UInt64 or ArrowTypeId.Boolean => types[0],
            _ when Columns.IsString(types[0]) => ArrowType.Utf8,
            _ => throw new FunctionException($"mode does not take {types[0]}", 0),
        };
    }

    private static void Plain(string name, AggregateCallOptions options)
    {
        if (options.Distinct)
        {
            throw new FunctionException($"{name}(DISTINCT …) is not supported yet");
        }
        if (options.OrderBy.Count > 0)
        {
            throw new FunctionException($"ORDER BY inside {name}(…) is not supported yet");
        }
    }

    private static void OneArgument(string name, IReadOnlyList<ArrowType> types)
    {
        if (types.Count != 1)
        {
            throw new FunctionException($"{name} takes one argument");
        }
    }

    private static ArrowType CountType(IReadOnlyList<ArrowType> types, AggregateCallOptions options)
    {
        if (options.OrderBy.Count > 0)
        {
            throw new FunctionException("ORDER BY inside count(…) is not supported yet");
        }
        if (types.Count > 1)
        {
            throw new FunctionException("count takes one argument");
        }
        if (types.Count == 1 && options.Distinct && !DistinctKeys.Supports(types[0]))
        {
            throw new FunctionException($"count(DISTINCT …) of {types[0]} is not supported", 0);
        }
        return ArrowType.Int64;
    }

    private static ArrowType SumType(IReadOnlyList<ArrowType> types, AggregateCallOptions options)
    {
        var type = Numeric("sum", types, options);
        return types[0].IsSignedInteger ? ArrowType.Int64 : types[0].IsInteger ? ArrowType.UInt64 : type;
    }

    /// <summary>The check shared by the arithmetic aggregates: one numeric argument; the result is float64.</summary>
    /// <summary>median keeps the argument's kind, as DataFusion's: integers (widened) stay integers.</summary>
    private static ArrowType MedianType(IReadOnlyList<ArrowType> types, AggregateCallOptions options)
    {
        Numeric("median", types, options);
        return types[0].Id switch
        {
            ArrowTypeId.Int64 or ArrowTypeId.Int32 or ArrowTypeId.Int16 or ArrowTypeId.Int8 => ArrowType.Int64,
            ArrowTypeId.UInt64 or ArrowTypeId.UInt32 or ArrowTypeId.UInt16 or ArrowTypeId.UInt8 => ArrowType.UInt64,
            _ => ArrowType.Float64,
        };
    }

    private static ArrowType Numeric(string name, IReadOnlyList<ArrowType> types, AggregateCallOptions options)
    {
        Plain(name, options);
        OneArgument(name, types);
        RequireNumeric(name, types[0], 0);
        return ArrowType.Float64;
    }

    private static void RequireNumeric(string name, ArrowType type, int argument)
    {
        if (!Columns.IsNumeric(type))
        {
            throw new FunctionException($"{name} needs a numeric argument, found {type}", argument);
        }
    }

    private static ArrowType PercentileType(IReadOnlyList<ArrowType> types, AggregateCallOptions options)
    {
        const string name = "approx_percentile_cont";
        Plain(name, options);
        if (types.Count is not (1 or 2))
        {
            throw new FunctionException($"{name} takes a value and a percentile");
        }
        RequireNumeric(name, types[0], 0);
        if (types.Count == 2 && !Columns.IsNumeric(types[1]))
        {
            throw new FunctionException("the percentile must be a constant between 0 and 1", 1);
        }
        Fraction(options.Parameter);
        return ArrowType.Float64;
    }

    /// <summary>The percentile constant, as today: a double in [0, 1] or the integer 0 or 1.</summary>
    private static double Fraction(object? parameter) => parameter switch
    {
        double d when d is >= 0 and <= 1 => d,
        long l when l is 0 or 1 => l,
        int i when i is 0 or 1 => i,
        _ => throw new FunctionException("the percentile must be a constant between 0 and 1", 1),
    };

    private static ArrowType MinMaxType(string name, IReadOnlyList<ArrowType> types, AggregateCallOptions options)
    {
        Plain(name, options);
        OneArgument(name, types);
        var type = types[0];
        var supported = Columns.IsString(type) || Columns.IsNumeric(type) || type.Id is ArrowTypeId.Timestamp or ArrowTypeId.Boolean;
        return supported ? GroupValues.Create(type).OutputType : throw new FunctionException($"min/max of {type} is not supported", 0);
    }

    private static ArrowType FirstLastType(string name, IReadOnlyList<ArrowType> types, AggregateCallOptions options)
    {
        if (options.Distinct)
        {
            throw new FunctionException($"{name}(DISTINCT …) is not supported yet");
        }
        if (types.Count != 1 + options.OrderBy.Count)
        {
            throw new FunctionException($"{name} takes one argument");
        }
        for (var a = 0; a < types.Count; a++)
        {
            if (!GroupValues.Supports(types[a]))
            {
                throw new FunctionException(a == 0 ? $"{name} of {types[a]} is not supported" : $"cannot order {name} by {types[a]}", a);
            }
        }
        return GroupValues.Create(types[0]).OutputType;
    }

    private static ArrowType SelectorType(string name, IReadOnlyList<ArrowType> types, AggregateCallOptions options)
    {
        if (types.Count != 2 || options.Distinct || options.OrderBy.Count > 0)
        {
            throw new FunctionException($"{name} takes a value and a time");
        }
        var member = options.Parameter switch
        {
            "value" => 0,
            "time" => 1,
            null => throw new FunctionException($"use {name}(…)['value'] or {name}(…)['time']"),
            var other => throw new FunctionException($"{name} has the fields 'value' and 'time', not '{other}'"),
        };
        for (var a = 0; a < 2; a++)
        {
            if (!GroupValues.Supports(types[a]))
            {
                throw new FunctionException($"{name} does not take {types[a]}", a);
            }
        }
        return GroupValues.Create(types[member]).OutputType;
    }
}
