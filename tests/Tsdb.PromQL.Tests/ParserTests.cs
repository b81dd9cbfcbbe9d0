using Tsdb.PromQL.Ast;
using Tsdb.PromQL.Parsing;

namespace Tsdb.PromQL.Tests;

public sealed class ParserTests
{
    [Theory]
    [InlineData("up")]
    [InlineData("up{job=\"api\", instance!=\"a\", path=~\"/v1/.*\", code!~'5..'}")]
    [InlineData("{__name__=~\"job:.*\"}")]
    [InlineData("job:request_rate5m")]
    [InlineData("rate(http_requests_total[5m])")]
    [InlineData("rate(http_requests_total[5m] offset -1h30m)")]
    [InlineData("rate(http_requests_total[300])")]
    [InlineData("http_requests_total @ 1609746000 offset 5m")]
    [InlineData("http_requests_total offset 5m @ start()")]
    [InlineData("max_over_time(rate(x[1m])[1h:5m] @ end())")]
    [InlineData("max_over_time(x[1h:])")]
    [InlineData("sum by (job) (rate(x[5m]))")]
    [InlineData("sum(rate(x[5m])) without (instance)")]
    [InlineData("topk(3, x)")]
    [InlineData("count_values(\"v\", x)")]
    [InlineData("quantile(0.9, x)")]
    [InlineData("a * on(chip) group_left(chip_name) b")]
    [InlineData("a / ignoring(code) group_right b")]
    [InlineData("a > bool 3")]
    [InlineData("a and on() b or c unless d")]
    [InlineData("-a ^ 2 atan2 b % 3")]
    [InlineData("0x1F + 1e3 + .5 + Inf - NaN")]
    [InlineData("label_join(x, \"dst\", \",\", \"a\", \"b\")")]
    [InlineData("label_join(x, \"dst\", \",\")")]
    [InlineData("time() - timestamp(up)")]
    [InlineData("day_of_week()")]
    [InlineData("histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))")]
    [InlineData("x # a comment")]
    [InlineData("sum by (\"foo bar\")({\"some.metric\"})")]
    [InlineData("sum without(and, by, avg, count, alert, annotations)(some_metric)")]
    [InlineData("sum by (foo,)(some_metric)")]
    [InlineData("sum(sum)")]
    [InlineData("start")]
    [InlineData("end{start=\"foo\"}")]
    [InlineData("foo unless on(start) bar")]
    [InlineData("foo[10m:6s] @ start()")]
    [InlineData("a + sum")]
    [InlineData("\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\" - \\xFF\\377\\u1234\\U00010111\\U0001011111☺\"")]
    [InlineData("min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:])[4m:3s]")]
    [InlineData("foo{bar=\"baz\"}[10m5s:1h6ms]")]
    [InlineData("test{a=\"b\"}[5m] OFFSET 3600")]
    [InlineData("on{on=\"x\", by=\"y\"}")]
    [InlineData("foo * sum")]
    [InlineData("offset{step=\"1s\"}[5m]")]
    [InlineData("{__name__=\"bar\", __name__=\"baz\"}")]
    [InlineData("{\"bar\", __name__=\"baz\"}")]
    [InlineData("foo[4.18] @ 2.345")]
    [InlineData("test[5y] OFFSET 3d")]
    [InlineData("some_metric[5m] @ 1m")]
    public void Valid_queries_parse(string query) => Assert.NotNull(Parser.ParseExpr(query));

    [Theory]
    [InlineData("", "1:1: parse error: no expression found in input")]
    [InlineData("1 +", "1:4: parse error: unexpected end of input")]
    [InlineData("1 + )", "1:6: parse error: unexpected right parenthesis ')'")]
    [InlineData("rate(x)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector")]
    [InlineData("abs(x[5m])", "1:5: parse error: expected type instant vector in call to function \"abs\", got range vector")]
    [InlineData("rate(x[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2")]
    [InlineData("round(x, 1, 2)", "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3")]
    [InlineData("nope(x)", "1:1: parse error: unknown function with name \"nope\"")]
    [InlineData("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("{a=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("x{__name__=\"y\"}", "1:1: parse error: metric name must not be set twice: \"x\" or \"y\"")]
    [InlineData("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier")]
    [InlineData("x and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression")]
    [InlineData("x + bool y", "1:5: parse error: bool modifier can only be used on comparison operators")]
    [InlineData("x and on(a) group_left b", "1:13: parse error: no grouping allowed for \"and\" operation")]
    [InlineData("x * on(a) group_left(a) y", "1:11: parse error: label \"a\" must not occur in ON and GROUP clause at once")]
    [InlineData("x offset 1m offset 2m", "1:1: parse error: offset may not be set multiple times")]
    [InlineData("x @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times")]
    [InlineData("x offset 1m [5m]", "1:13: parse error: no offset modifiers allowed before range")]
    [InlineData("(x)[5m]", "1:4: parse error: ranges only allowed for vector selectors")]
    [InlineData("x[5m][5m:1m]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead")]
    [InlineData("test[5d] OFFSET 10s [10m:5s]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead")]
    [InlineData("(foo + bar{nm=\"val\"})[5m:][10m:5s]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead")]
    [InlineData("rate(food[1m])[1h] offset 1h", "1:15: parse error: ranges only allowed for vector selectors")]
    [InlineData("1 offset 5m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery")]
    [InlineData("x[0s]", "1:3: parse error: duration must be greater than 0")]
    [InlineData("x{a=\"b\" c=\"d\"}", "1:9: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\"")]
    [InlineData("sum(x, y)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2")]
    [InlineData("topk(x)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1")]
    [InlineData("sum(x[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector")]
    [InlineData("count_values(1, x)", "1:14: parse error: expected type string in aggregation parameter, got scalar")]
    [InlineData("-\"a\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"")]
    [InlineData("x[5m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types")]
    [InlineData("\"unterminated", "1:1: parse error: unterminated quoted string")]
    [InlineData("x $ y", "1:3: parse error: unexpected character: '$'")]
    [InlineData("5x", "1:1: parse error: bad number or duration syntax: \"5x\"")]
    [InlineData("mad_over_time(x[5m])", "1:1: parse error: function \"mad_over_time\" is not enabled")]
    [InlineData("x\n  + ", "2:5: parse error: unexpected end of input")]
    // Cases and messages as in Prometheus' promql/parser/parse_test.go.
    [InlineData("1+", "1:3: parse error: unexpected end of input")]
    [InlineData(".", "1:1: parse error: unexpected character: '.'")]
    [InlineData("*1", "1:1: parse error: unexpected <op:*>")]
    [InlineData("(1))", "1:5: parse error: unexpected right parenthesis ')'")]
    [InlineData("((1)", "1:5: parse error: unclosed left parenthesis")]
    [InlineData("(", "1:2: parse error: unclosed left parenthesis")]
    [InlineData("1 and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression")]
    [InlineData("1 !~ 1", "1:3: parse error: unexpected character after '!': '~'")]
    [InlineData("1 =~ 1", "1:3: parse error: unexpected character after '=': '~'")]
    [InlineData("-\"string\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"")]
    [InlineData("-test[5m]", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"")]
    [InlineData("@@", "1:1: parse error: unexpected <op:@>")]
    [InlineData("1 offset 1d", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery")]
    [InlineData("foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times")]
    [InlineData("a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>")]
    [InlineData("{", "1:2: parse error: unexpected end of input inside braces")]
    [InlineData("foo[0m]", "1:5: parse error: duration must be greater than 0")]
    [InlineData("topk(some_metric,)", "1:17: parse error: trailing commas not allowed in function call args")]
    [InlineData("topk(some_metric, other_metric)", "1:6: parse error: expected type scalar in aggregation parameter, got instant vector")]
    [InlineData("count_values(5, other_metric)", "1:14: parse error: expected type string in aggregation parameter, got scalar")]
    [InlineData("rate(some_metric[5m]) @ 1234", "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery")]
    [InlineData("floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0")]
    [InlineData("floor(1)", "1:7: parse error: expected type instant vector in call to function \"floor\", got scalar")]
    [InlineData("hour(some_metric, some_metric, some_metric)", "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", got 3")]
    [InlineData("time(some_metric)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1")]
    [InlineData("-=", "1:2: parse error: unexpected \"=\"")]
    [InlineData("++-++-+-+-<", "1:11: parse error: unexpected <op:<>")]
    [InlineData("e-+=/(0)", "1:4: parse error: unexpected \"=\"")]
    [InlineData("a>b()", "1:3: parse error: unknown function with name \"b\"")]
    [InlineData("rate(avg)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector")]
    [InlineData("`\\``", "1:4: parse error: unterminated raw string")]
    [InlineData("\"\\", "1:1: parse error: escape sequence not terminated")]
    [InlineData("\"\\c\"", "1:1: parse error: unknown escape sequence U+0063 'c'")]
    [InlineData("\"\\x.\"", "1:1: parse error: illegal character U+002E '.' in escape sequence")]
    [InlineData("foo{bar=\"baz\"}[", "1:16: parse error: unexpected end of input in duration expression")]
    [InlineData("foo[\"5m\"]", "1:5: parse error: unexpected character in duration expression: '\"'")]
    [InlineData("foo[-1]", "1:5: parse error: duration must be greater than 0")]
    [InlineData("foo[]", "1:5: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, step(), or range()")]
    [InlineData("foo[5m:1m1]", "1:8: parse error: bad number or duration syntax: \"1m1\"")]
    [InlineData("some_metric[5m] OFFSET 1mm", "1:24: parse error: bad number or duration syntax: \"1mm\"")]
    [InlineData("some_metric[5m] OFFSET", "1:23: parse error: unexpected end of input in offset, expected number, duration, step(), or range()")]
    [InlineData("some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range")]
    [InlineData("some_metric[5m] @", "1:18: parse error: unexpected end of input in @, expected timestamp")]
    [InlineData("some_metric @ 1234 [5m]", "1:20: parse error: no @ modifiers allowed before range")]
    [InlineData("some_metric @ start() [5m]", "1:23: parse error: no @ modifiers allowed before range")]
    [InlineData("(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors")]
    [InlineData("sum without(==)(some_metric)", "1:13: parse error: unexpected <op:==> in grouping opts, expected label")]
    [InlineData("sum without(,)(some_metric)", "1:13: parse error: unexpected \",\" in grouping opts, expected label")]
    [InlineData("sum some_metric by (test)", "1:5: parse error: unexpected identifier \"some_metric\"")]
    [InlineData("sum (some_metric) by test", "1:22: parse error: unexpected identifier \"test\" in grouping opts, expected \"(\"")]
    [InlineData("sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided")]
    [InlineData("MIN keep_common (some_metric)", "1:5: parse error: unexpected identifier \"keep_common\"")]
    [InlineData("sum (some_metric) without (test) by (test)", "1:34: parse error: unexpected <by>")]
    [InlineData("sum without (test) (some_metric) by (test)", "1:34: parse error: unexpected <by>")]
    [InlineData("sum by (\"foo)(some_metric{})", "1:9: parse error: unterminated quoted string")]
    [InlineData("}", "1:1: parse error: unexpected character: '}'")]
    [InlineData("some{", "1:6: parse error: unexpected end of input inside braces")]
    [InlineData("some}", "1:5: parse error: unexpected character: '}'")]
    [InlineData("some_metric{a=b}", "1:15: parse error: unexpected identifier \"b\" in label matching, expected string")]
    [InlineData("some_metric{a:b=\"b\"}", "1:14: parse error: unexpected character inside braces: ':'")]
    [InlineData("foo{a*\"b\"}", "1:6: parse error: unexpected character inside braces: '*'")]
    [InlineData("foo{a>=\"b\"}", "1:6: parse error: unexpected character inside braces: '>'")]
    [InlineData("foo{gibberish}", "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator")]
    [InlineData("foo{1}", "1:5: parse error: unexpected character inside braces: '1'")]
    [InlineData("{x=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("{x!=\"a\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher")]
    [InlineData("foo{__name__= =}", "1:15: parse error: unexpected \"=\" in label matching, expected string")]
    [InlineData("foo{__name__ == \"bar\"}", "1:15: parse error: unexpected \"=\" in label matching, expected string")]
    [InlineData("foo{__name__=\"bar\" lol}", "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or \"}\"")]
    [InlineData("foo{\"a\"=}", "1:9: parse error: unexpected \"}\" in label matching, expected string")]
    [InlineData("foo[5mm]", "1:5: parse error: bad number or duration syntax: \"5mm\"")]
    [InlineData("foo[5m1]", "1:5: parse error: bad number or duration syntax: \"5m1\"")]
    [InlineData("2.5.", "1:1: parse error: bad number or duration syntax: \"2.5.\"")]
    [InlineData("100..4", "1:1: parse error: bad number or duration syntax: \"100..\"")]
    [InlineData("0deadbeef", "1:1: parse error: bad number or duration syntax: \"0de\"")]
    public void Invalid_queries_fail_with_prometheus_style_messages(string query, string message)
    {
        var error = Assert.Throws<PromQLException>(() => Parser.ParseExpr(query));
        Assert.Equal(message, error.Message);
        Assert.Equal(PromQLErrorType.BadData, error.ErrorType);
    }

    [Theory]
    // The message is about the pattern as written: offsets count from its start, and nothing of the ^(?:…)\z the
    // engine wraps it in shows (that wrapping used to turn "[a-" into "Unrecognized escape sequence \z").
    [InlineData("x{a=~\"[a-\"}", "1:6: parse error: invalid regular expression \"[a-\": missing closing ] at offset 3")]
    [InlineData("x{a=~\"(\"}", "1:6: parse error: invalid regular expression \"(\": missing closing ) at offset 1")]
    [InlineData("x{a!~\"a\\\\\"}", "1:6: parse error: invalid regular expression \"a\\\\\": trailing backslash at end of expression at offset 2")]
    [InlineData("x{a=~\"*a\"}", "1:6: parse error: invalid regular expression \"*a\": missing argument to repetition operator at offset 1")]
    [InlineData("x{a=~\"[z-a]\"}", "1:6: parse error: invalid regular expression \"[z-a]\": invalid character class range at offset 4")]
    [InlineData("x{a=~\"(?P<n>a\"}", "1:6: parse error: invalid regular expression \"(?P<n>a\": missing closing ) at offset 7")]
    // Valid once wrapped (the ')' would close the engine's group and leave the match unanchored), invalid as written.
    [InlineData("x{a=~\"a)|(b\"}", "1:6: parse error: invalid regular expression \"a)|(b\": unexpected ) at offset 2")]
    public void An_invalid_regex_is_a_parse_error_at_the_pattern_in_its_own_terms(string query, string message)
    {
        var error = Assert.Throws<PromQLException>(() => Parser.ParseExpr(query));
        Assert.Equal(message, error.Message);
        Assert.Equal(PromQLErrorType.BadData, error.ErrorType);
    }

    [Fact]
    public void A_match_parameter_with_an_invalid_regex_names_the_pattern()
    {
        var error = Assert.Throws<PromQLException>(() => PromQLEngine.ParseSelector("{job=~\"[a-\"}"));
        Assert.Equal("1:7: parse error: invalid regular expression \"[a-\": missing closing ] at offset 3", error.Message);
    }

    [Fact]
    public void Multiplication_binds_tighter_than_addition_and_power_is_right_associative()
    {
        var sum = Assert.IsType<BinaryExpr>(Parser.ParseExpr("1 + 2 * 3"));
        Assert.Equal(BinaryOp.Add, sum.Op);
        Assert.Equal(BinaryOp.Mul, Assert.IsType<BinaryExpr>(sum.Rhs).Op);

        var power = Assert.IsType<BinaryExpr>(Parser.ParseExpr("a ^ b ^ c"));
        Assert.IsType<VectorSelector>(power.Lhs);
        Assert.Equal(BinaryOp.Pow, Assert.IsType<BinaryExpr>(power.Rhs).Op);

        var or = Assert.IsType<BinaryExpr>(Parser.ParseExpr("a or b and c"));
        Assert.Equal(BinaryOp.Or, or.Op);
        Assert.Equal(BinaryOp.And, Assert.IsType<BinaryExpr>(or.Rhs).Op);

        // Unary minus binds looser than ^ : -a ^ 2 is -(a ^ 2).
        var negated = Assert.IsType<UnaryExpr>(Parser.ParseExpr("-a ^ 2"));
        Assert.Equal(BinaryOp.Pow, Assert.IsType<BinaryExpr>(negated.Operand).Op);
    }

    [Fact]
    public void Modifiers_and_durations_are_parsed()
    {
        var matrix = Assert.IsType<MatrixSelector>(Parser.ParseExpr("x[1h30m] offset -5m @ 100.5"));
        Assert.Equal(5_400_000, matrix.RangeMs);
        Assert.Equal(-300_000, matrix.Selector.OffsetMs);
        Assert.Equal(AtKind.Timestamp, matrix.Selector.At);
        Assert.Equal(100_500, matrix.Selector.AtMs);

        var subquery = Assert.IsType<SubqueryExpr>(Parser.ParseExpr("rate(x[5m])[1h:] @ end()"));
        Assert.Equal(3_600_000, subquery.RangeMs);
        Assert.Equal(0, subquery.StepMs);
        Assert.Equal(AtKind.End, subquery.At);

        var selector = Assert.IsType<VectorSelector>(Parser.ParseExpr("x{a=\"\\u00e9\\x41\\n\", b='c'}"));
        Assert.Equal(new LabelMatcher("a", MatchType.Equal, "éA\n"), selector.Matchers[1]);
        Assert.Equal(new LabelMatcher(Labels.MetricName, MatchType.Equal, "x"), selector.Matchers[0]);

        Assert.Equal(-2.0, Assert.IsType<NumberLiteral>(Parser.ParseExpr("-2")).Value);
        Assert.Equal(31.0, Assert.IsType<NumberLiteral>(Parser.ParseExpr("0x1f")).Value);
        Assert.Equal(493.0, Assert.IsType<NumberLiteral>(Parser.ParseExpr("0755")).Value);
        Assert.Equal(-493.0, Assert.IsType<NumberLiteral>(Parser.ParseExpr("-0755")).Value);
        Assert.Equal(8.0, Assert.IsType<NumberLiteral>(Parser.ParseExpr("08")).Value);
        Assert.Equal(300.0, Assert.IsType<NumberLiteral>(Parser.ParseExpr("5m")).Value);
    }

    [Fact]
    public void Trees_taller_than_the_height_limit_are_refused()
    {
        // A chain of n terms is a tree n levels tall: the parser builds it in a loop, evaluation walks it recursively.
        static string Chain(string term, string op, int terms) => string.Join(op, Enumerable.Repeat(term, terms));
        Assert.NotNull(Parser.ParseExpr(Chain("x", " + ", Parser.MaxHeight)));
        var error = Assert.Throws<PromQLException>(() => Parser.ParseExpr(Chain("x", " + ", Parser.MaxHeight + 1)));
        Assert.Equal(PromQLErrorType.BadData, error.ErrorType);
        Assert.Equal("1:1: parse error: expression is too deep: more than 1000 levels of operators, calls and parentheses", error.Message);
        Assert.Throws<PromQLException>(() => Parser.ParseExpr(Chain("x", " and ", 20_000)));
        // Nesting and chains add up: 100 parentheses around a chain of 950 terms is 1,050 levels.
        var nested = new string('(', 100) + Chain("2", " * ", 950) + new string(')', 100);
        Assert.Contains("too deep", Assert.Throws<PromQLException>(() => Parser.ParseExpr(nested)).Message, StringComparison.Ordinal);
        Assert.Throws<PromQLException>(() => Parser.ParseExpr("sum(" + Chain("abs(x)", " - ", 1200) + ")"));
    }

    [Fact]
    public void Nesting_beyond_the_depth_limit_is_refused()
    {
        var deep = new string('(', 5000) + "1" + new string(')', 5000);
        var error = Assert.Throws<PromQLException>(() => Parser.ParseExpr(deep));
        Assert.Contains("nests deeper than", error.Message, StringComparison.Ordinal);

        var unary = string.Concat(Enumerable.Repeat("-", 5000)) + "1";
        Assert.Throws<PromQLException>(() => Parser.ParseExpr(unary));

        var fine = new string('(', 100) + "1" + new string(')', 100);
        Assert.NotNull(Parser.ParseExpr(fine));
    }

    [Theory]
    [InlineData("up", 1)]
    [InlineData("up{job=\"api\"}", 2)]
    [InlineData("{job=~\"a|b\", env!=\"dev\"}", 2)]
    public void ParseSelector_returns_the_matchers(string selector, int count)
    {
        var matchers = PromQLEngine.ParseSelector(selector);
        Assert.Equal(count, matchers.Count);
    }

    [Theory]
    [InlineData("rate(x[5m])")]
    [InlineData("x[5m]")]
    [InlineData("1")]
    [InlineData("x + y")]
    public void ParseSelector_refuses_anything_but_a_selector(string selector) =>
        Assert.Equal(PromQLErrorType.BadData, Assert.Throws<PromQLException>(() => PromQLEngine.ParseSelector(selector)).ErrorType);

    [Fact]
    public void Mutated_queries_only_ever_raise_PromQLException()
    {
        string[] seeds =
        [
            "sum by (job) (rate(http_requests_total{job=~\"a.*\"}[5m] offset 1m)) / on(job) group_left(x) count(up) > bool 0.5",
            "histogram_quantile(0.9, sum(rate(x_bucket[5m])) by (le)) @ start() or label_replace(y, \"a\", \"$1\", \"b\", \"(.*)\")",
            "max_over_time(deriv(x[1m:10s])[1h:]) unless -vector(time()) ^ 2 % 3 atan2 4",
        ];
        const string alphabet = "(){}[]:,@=!~<>+-*/%^\"'`\\ #0123456789.eExXabcdefghijklmnopqrstuvwxyz_";
        var random = new Random(20_261_122);
        for (var i = 0; i < 20_000; i++)
        {
            var chars = seeds[i % seeds.Length].ToCharArray().ToList();
            var edits = random.Next(1, 6);
            for (var e = 0; e < edits; e++)
            {
                var position = random.Next(chars.Count + 1);
                switch (random.Next(3))
                {
                    case 0:
                        chars.Insert(position, alphabet[random.Next(alphabet.Length)]);
                        break;
                    case 1 when position < chars.Count:
                        chars.RemoveAt(position);
                        break;
                    default:
                        if (position < chars.Count)
                        {
                            chars[position] = alphabet[random.Next(alphabet.Length)];
                        }
                        break;
                }
            }
            var query = new string([.. chars]);
            try
            {
                Parser.ParseExpr(query);
            }
            catch (PromQLException)
            {
                // Expected for most mutations.
            }
        }
    }
}
