using Tsdb.Query.InfluxQL.Ast;

namespace Tsdb.Query.InfluxQL.Parsing;

/// <summary>SHOW statements: the metadata queries InfluxDB 3 answers, and the rest recognised as unsupported.</summary>
internal sealed partial class Parser
{
    private static readonly string[] ShowKinds =
    [
        "CONTINUOUS", "DATABASES", "DIAGNOSTICS", "FIELD", "GRANTS", "MEASUREMENT", "MEASUREMENTS", "QUERIES", "RETENTION",
        "SERIES", "SHARD", "SHARDS", "STATS", "SUBSCRIPTIONS", "TAG", "USERS",
    ];

    private Statement ParseShow(int start)
    {
        var t = _current;
        var keyword = t.Kind == TokenKind.Keyword ? t.Keyword : Keyword.None;
        switch (keyword)
        {
            case Keyword.Continuous:
                return UnsupportedPath(start, "SHOW", Keyword.Continuous, Keyword.Queries);
            case Keyword.Grants:
                return UnsupportedPath(start, "SHOW", Keyword.Grants, Keyword.For);
            case Keyword.Shard:
                return UnsupportedPath(start, "SHOW", Keyword.Shard, Keyword.Groups);
            case Keyword.Diagnostics or Keyword.Queries or Keyword.Shards or Keyword.Stats or Keyword.Subscriptions or Keyword.Users:
                return UnsupportedPath(start, "SHOW", keyword);
            case Keyword.Databases:
                Advance();
                return new ShowDatabasesStatement { Position = start };
            case Keyword.Retention:
                Advance();
                ExpectKeyword(Keyword.Policies);
                return new ShowRetentionPoliciesStatement { Position = start, Database = ParseOn() };
            case Keyword.Measurements:
                Advance();
                return ParseShowMeasurements(start);
            case Keyword.Measurement:
                Advance();
                if (!AtKeyword(Keyword.Exact) && !AtKeyword(Keyword.Cardinality))
                {
                    throw Expected(_current, "EXACT", "CARDINALITY");
                }

                return ParseCardinality(start, CardinalityKind.Measurement, AcceptKeyword(Keyword.Exact), required: ["CARDINALITY"]);
            case Keyword.Series:
                Advance();
                if (AtKeyword(Keyword.Exact) || AtKeyword(Keyword.Cardinality))
                {
                    return ParseCardinality(start, CardinalityKind.Series, AcceptKeyword(Keyword.Exact), required: ["CARDINALITY"]);
                }

                return ParseShowSeries(start);
            case Keyword.Field:
                Advance();
                if (AcceptKeyword(Keyword.Keys))
                {
                    return ParseShowFieldKeys(start);
                }

                if (AcceptKeyword(Keyword.Key))
                {
                    var exact = AcceptKeyword(Keyword.Exact);
                    return ParseCardinality(start, CardinalityKind.FieldKey, exact, exact ? ["CARDINALITY"] : ["EXACT", "CARDINALITY"]);
                }

                throw Expected(_current, "KEY", "KEYS");
            case Keyword.Tag:
                Advance();
                return ParseShowTag(start);
            default:
                throw Expected(t, ShowKinds);
        }
    }

    private Statement ParseShowTag(int start)
    {
        if (AcceptKeyword(Keyword.Keys))
        {
            return ParseShowTagKeys(start);
        }

        if (AcceptKeyword(Keyword.Key))
        {
            var exact = AcceptKeyword(Keyword.Exact);
            return ParseCardinality(start, CardinalityKind.TagKey, exact, exact ? ["CARDINALITY"] : ["EXACT", "CARDINALITY"]);
        }

        if (!AcceptKeyword(Keyword.Values))
        {
            throw Expected(_current, "KEY", "KEYS", "VALUES");
        }

        if (AtKeyword(Keyword.Exact) || AtKeyword(Keyword.Cardinality))
        {
            return ParseCardinality(start, CardinalityKind.TagValue, AcceptKeyword(Keyword.Exact), ["CARDINALITY"]);
        }

        var database = ParseOn();
        var sources = ParseOptionalFrom();
        var (op, keys) = ParseWithKey();
        return new ShowTagValuesStatement
        {
            Position = start,
            Database = database,
            Sources = sources,
            KeyOperator = op,
            Keys = keys,
            Condition = ParseCondition(),
            Limit = ParseOptionalInt(Keyword.Limit),
            Offset = ParseOptionalInt(Keyword.Offset),
        };
    }

    /// <summary>After <c>[EXACT]</c>: <c>CARDINALITY [ON db] [FROM …] [WITH KEY …] [WHERE …]</c>.</summary>
    private ShowCardinalityStatement ParseCardinality(int start, CardinalityKind kind, bool exact, string[] required)
    {
        if (!AtKeyword(Keyword.Cardinality))
        {
            throw Expected(_current, required);
        }

        Advance();
        var database = ParseOn();
        var sources = ParseOptionalFrom();
        BinaryOperator? op = null;
        IReadOnlyList<string> keys = [];
        if (kind == CardinalityKind.TagValue)
        {
            (var keyOp, keys) = ParseWithKey();
            op = keyOp;
        }

        return new ShowCardinalityStatement
        {
            Position = start,
            Kind = kind,
            Exact = exact,
            Database = database,
            Sources = sources,
            Condition = ParseCondition(),
            KeyOperator = op,
            Keys = keys,
        };
    }

    private string? ParseOn() => AcceptKeyword(Keyword.On) ? ParseIdent() : null;

    private List<Source> ParseOptionalFrom() => AcceptKeyword(Keyword.From) ? ParseSources(subqueries: false) : [];

    private ShowMeasurementsStatement ParseShowMeasurements(int start)
    {
        var database = ParseOn();
        (BinaryOperator, InfluxQLExpr)? with = null;
        if (AcceptKeyword(Keyword.With))
        {
            ExpectKeyword(Keyword.Measurement);
            var op = _current.Kind switch
            {
                TokenKind.Equal => BinaryOperator.Equal,
                TokenKind.NotEqual => BinaryOperator.NotEqual,
                TokenKind.RegexMatch => BinaryOperator.RegexMatch,
                TokenKind.RegexNotMatch => BinaryOperator.RegexNotMatch,
                _ => throw Expected(_current, "=", "!=", "=~", "!~"),
            };
            Advance();
            var operandStart = _current.Start;
            InfluxQLExpr operand = AtRegex ? TakeRegex() : new VarRef(ParseIdent()) { Position = operandStart };
            with = (op, operand);
        }

        return new ShowMeasurementsStatement
        {
            Position = start,
            Database = database,
            WithMeasurement = with,
            Condition = ParseCondition(),
            Limit = ParseOptionalInt(Keyword.Limit),
            Offset = ParseOptionalInt(Keyword.Offset),
        };
    }

    private ShowSeriesStatement ParseShowSeries(int start) => new()
    {
        Position = start,
        Database = ParseOn(),
        Sources = ParseOptionalFrom(),
        Condition = ParseCondition(),
        Limit = ParseOptionalInt(Keyword.Limit),
        Offset = ParseOptionalInt(Keyword.Offset),
    };

    private ShowTagKeysStatement ParseShowTagKeys(int start) => new()
    {
        Position = start,
        Database = ParseOn(),
        Sources = ParseOptionalFrom(),
        Condition = ParseCondition(),
        Limit = ParseOptionalInt(Keyword.Limit),
        Offset = ParseOptionalInt(Keyword.Offset),
        SLimit = ParseOptionalInt(Keyword.Slimit),
        SOffset = ParseOptionalInt(Keyword.Soffset),
    };

    private ShowFieldKeysStatement ParseShowFieldKeys(int start) => new()
    {
        Position = start,
        Database = ParseOn(),
        Sources = ParseOptionalFrom(),
        Limit = ParseOptionalInt(Keyword.Limit),
        Offset = ParseOptionalInt(Keyword.Offset),
    };

    /// <summary><c>WITH KEY = k | != k | =~ /re/ | !~ /re/ | IN (k, …)</c>; IN is reported as Equal with its keys.</summary>
    private (BinaryOperator Op, List<string> Keys) ParseWithKey()
    {
        ExpectKeyword(Keyword.With);
        ExpectKeyword(Keyword.Key);
        switch (_current.Kind)
        {
            case TokenKind.Keyword when _current.Keyword == Keyword.In:
                Advance();
                Expect(TokenKind.LeftParen, "(");
                var keys = new List<string> { ParseIdent() };
                while (At(TokenKind.Comma))
                {
                    Advance();
                    keys.Add(ParseIdent());
                }

                Expect(TokenKind.RightParen, ")");
                return (BinaryOperator.Equal, keys);
            case TokenKind.Equal or TokenKind.NotEqual:
                var op = Advance().Kind == TokenKind.Equal ? BinaryOperator.Equal : BinaryOperator.NotEqual;
                return (op, [ParseIdent()]);
            case TokenKind.RegexMatch or TokenKind.RegexNotMatch:
                var regexOp = Advance().Kind == TokenKind.RegexMatch ? BinaryOperator.RegexMatch : BinaryOperator.RegexNotMatch;
                if (!AtRegex)
                {
                    throw ExpectedRegex();
                }

                return (regexOp, [TakeRegex().Pattern]);
            default:
                throw Expected(_current, "IN", "=", "=~");
        }
    }
}
