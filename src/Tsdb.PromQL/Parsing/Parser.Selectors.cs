using Tsdb.PromQL.Ast;

namespace Tsdb.PromQL.Parsing;

internal sealed partial class Parser
{
    private VectorSelector ParseVectorSelector()
    {
        var start = Current;
        string? name = null;
        var matchers = new List<LabelMatcher>();
        if (start.Kind != TokenKind.LeftBrace)
        {
            name = Next().Text;
        }
        if (Current.Kind == TokenKind.LeftBrace)
        {
            Next();
            while (Current.Kind != TokenKind.RightBrace)
            {
                matchers.Add(ParseMatcher(matchers.Count == 0 && name is null));
                if (Current.Kind == TokenKind.Comma)
                {
                    Next();
                }
                else if (Current.Kind != TokenKind.RightBrace)
                {
                    throw Unexpected(Current, "in label matching, expected \",\" or \"}\"");
                }
            }
            Next();
        }
        if (name is not null)
        {
            foreach (var m in matchers)
            {
                if (m.Name == Labels.MetricName)
                {
                    throw Error(start.Position, $"metric name must not be set twice: \"{name}\" or \"{m.Value}\"");
                }
            }
            matchers.Insert(0, new LabelMatcher(Labels.MetricName, MatchType.Equal, name));
        }
        else
        {
            var found = false;
            foreach (var m in matchers)
            {
                if (!Matchers.MatchesEmpty(m))
                {
                    found = true;
                    break;
                }
            }
            if (!found)
            {
                throw Error(start.Position, "vector selector must contain at least one non-empty matcher");
            }
        }
        return new VectorSelector(start.Position, name, matchers);
    }

    private LabelMatcher ParseMatcher(bool mayBeBareName)
    {
        var token = Current;
        string label;
        if (token.Kind == TokenKind.String)
        {
            Next();
            label = token.Text;
            if (mayBeBareName && Current.Kind is TokenKind.Comma or TokenKind.RightBrace)
            {
                // {"metric.name"}: a quoted metric name (UTF-8 names, Prometheus 3).
                return new LabelMatcher(Labels.MetricName, MatchType.Equal, label);
            }
        }
        else if (IsLabelNameToken(token))
        {
            Next();
            label = token.Text;
        }
        else
        {
            throw Unexpected(token, "in label matching, expected label matching operator");
        }
        var opToken = Current;
        MatchType type;
        switch (opToken.Kind)
        {
            case TokenKind.Assign: type = MatchType.Equal; break;
            case TokenKind.Neq: type = MatchType.NotEqual; break;
            case TokenKind.EqlRegex: type = MatchType.RegexMatch; break;
            case TokenKind.NeqRegex: type = MatchType.RegexNoMatch; break;
            default: throw Unexpected(opToken, "in label matching, expected label matching operator");
        }
        Next();
        var valueToken = Current;
        if (valueToken.Kind != TokenKind.String)
        {
            throw Unexpected(valueToken, "in label matching, expected string");
        }
        Next();
        var matcher = new LabelMatcher(label, type, valueToken.Text);
        if (type is MatchType.RegexMatch or MatchType.RegexNoMatch)
        {
            try
            {
                _ = Matchers.Compile(valueToken.Text);
            }
            catch (ArgumentException e)
            {
                throw Error(valueToken.Position, $"invalid regular expression {Lexer.Quote(valueToken.Text)}: {e.Message}");
            }
        }
        return matcher;
    }

    private static bool IsLabelNameToken(Token token) =>
        token.Kind is TokenKind.Identifier or TokenKind.And or TokenKind.Or or TokenKind.Unless or TokenKind.Atan2
            or TokenKind.Bool or TokenKind.By or TokenKind.Without or TokenKind.On or TokenKind.Ignoring
            or TokenKind.GroupLeft or TokenKind.GroupRight or TokenKind.Offset or TokenKind.Start or TokenKind.End
        || (token.Kind == TokenKind.Number && char.IsAsciiLetter(token.Text[0]));

    private List<string> ParseLabelList()
    {
        Expect(TokenKind.LeftParen, "in grouping opts, expected \"(\"");
        var labels = new List<string>();
        while (Current.Kind != TokenKind.RightParen)
        {
            var token = Current;
            if (IsLabelNameToken(token) || token.Kind == TokenKind.String)
            {
                Next();
                labels.Add(token.Text);
            }
            else
            {
                throw Unexpected(token, "in grouping opts, expected label");
            }
            if (Current.Kind == TokenKind.Comma)
            {
                Next();
            }
            else if (Current.Kind != TokenKind.RightParen)
            {
                throw Unexpected(Current, "in grouping opts, expected \")\" or \",\"");
            }
        }
        Next();
        return labels;
    }

    private Call ParseCall()
    {
        var nameToken = Next();
        var name = nameToken.Text;
        if (!Functions.TryGet(name, out var function))
        {
            throw Error(nameToken.Position, Functions.IsExperimental(name)
                ? $"function \"{name}\" is experimental and not supported by this engine"
                : $"unknown function with name \"{name}\"");
        }
        if (!_experimental && Functions.IsExperimental(name))
        {
            var disabled = Error(nameToken.Position, $"function \"{name}\" is not enabled");
            disabled.NeedsExperimentalFunctions = true;
            throw disabled;
        }
        Expect(TokenKind.LeftParen, "expected \"(\"");
        Enter(nameToken.Position);
        var args = new List<Expr>();
        while (Current.Kind != TokenKind.RightParen)
        {
            args.Add(ParseBinary(0));
            if (Current.Kind == TokenKind.Comma)
            {
                var comma = Next();
                if (Current.Kind == TokenKind.RightParen)
                {
                    throw Error(comma.Position, "trailing commas not allowed in function call args");
                }
            }
            else if (Current.Kind != TokenKind.RightParen)
            {
                throw Unexpected(Current, "in call to function \"" + name + "\", expected \",\" or \")\"");
            }
        }
        Next();
        _depth--;
        CheckArguments(nameToken, function, args);
        return new Call(nameToken.Position, function, args);
    }

    private void CheckArguments(Token nameToken, FunctionInfo function, List<Expr> args)
    {
        var declared = function.ArgTypes.Count;
        if (function.Variadic == 0)
        {
            if (args.Count != declared)
            {
                throw Error(nameToken.Position, $"expected {declared} argument(s) in call to \"{function.Name}\", got {args.Count}");
            }
        }
        else if (function.Variadic > 0)
        {
            var min = declared - function.Variadic;
            if (args.Count < min)
            {
                throw Error(nameToken.Position, $"expected at least {min} argument(s) in call to \"{function.Name}\", got {args.Count}");
            }
            if (args.Count > declared)
            {
                throw Error(nameToken.Position, $"expected at most {declared} argument(s) in call to \"{function.Name}\", got {args.Count}");
            }
        }
        else if (args.Count < declared - 1)
        {
            throw Error(nameToken.Position, $"expected at least {declared - 1} argument(s) in call to \"{function.Name}\", got {args.Count}");
        }
        for (var i = 0; i < args.Count; i++)
        {
            var expected = function.ArgTypes[Math.Min(i, declared - 1)];
            if (args[i].Type != expected)
            {
                throw Error(args[i].Position, $"expected type {expected.Describe()} in call to function \"{function.Name}\", got {args[i].Type.Describe()}");
            }
        }
    }

    private AggregateExpr ParseAggregation(AggregationOp op)
    {
        var nameToken = Next();
        IReadOnlyList<string> grouping = [];
        var without = false;
        var hasGrouping = false;
        if (Current.Kind is TokenKind.By or TokenKind.Without)
        {
            without = Next().Kind == TokenKind.Without;
            grouping = ParseLabelList();
            hasGrouping = true;
        }
        Expect(TokenKind.LeftParen, "in aggregation, expected \"(\"");
        Enter(nameToken.Position);
        var args = new List<Expr>();
        while (Current.Kind != TokenKind.RightParen)
        {
            args.Add(ParseBinary(0));
            if (Current.Kind == TokenKind.Comma)
            {
                var comma = Next();
                if (Current.Kind == TokenKind.RightParen)
                {
                    throw Error(comma.Position, "trailing commas not allowed in function call args");
                }
            }
            else if (Current.Kind != TokenKind.RightParen)
            {
                throw Unexpected(Current, "in aggregation, expected \",\" or \")\"");
            }
        }
        Next();
        _depth--;
        if (Current.Kind is TokenKind.By or TokenKind.Without)
        {
            if (hasGrouping)
            {
                throw Unexpected(Current);
            }
            without = Next().Kind == TokenKind.Without;
            grouping = ParseLabelList();
        }
        var needsParameter = op is AggregationOp.Topk or AggregationOp.Bottomk or AggregationOp.Quantile
            or AggregationOp.CountValues or AggregationOp.Limitk or AggregationOp.LimitRatio;
        var expectedArgs = needsParameter ? 2 : 1;
        if (args.Count != expectedArgs)
        {
            throw Error(nameToken.Position, args.Count == 0
                ? "no arguments for aggregate expression provided"
                : $"wrong number of arguments for aggregate expression provided, expected {expectedArgs}, got {args.Count}");
        }
        if (!_experimental && op is AggregationOp.Limitk or AggregationOp.LimitRatio)
        {
            var experimental = Error(nameToken.Position, $"{(op == AggregationOp.Limitk ? "limitk" : "limit_ratio")}() is experimental and must be enabled with --enable-feature=promql-experimental-functions");
            experimental.NeedsExperimentalFunctions = true;
            throw experimental;
        }
        var inner = args[^1];
        var parameter = needsParameter ? args[0] : null;
        if (inner.Type != ExprType.Vector)
        {
            throw Error(inner.Position, $"expected type instant vector in aggregation expression, got {inner.Type.Describe()}");
        }
        if (parameter is not null)
        {
            var expected = op == AggregationOp.CountValues ? ExprType.String : ExprType.Scalar;
            if (parameter.Type != expected)
            {
                throw Error(parameter.Position, $"expected type {expected.Describe()} in aggregation parameter, got {parameter.Type.Describe()}");
            }
        }
        return new AggregateExpr(nameToken.Position, op, inner, parameter, grouping, without);
    }
}
